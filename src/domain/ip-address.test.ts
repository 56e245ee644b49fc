import { describe, expect, it } from 'vitest';
import { callbackUrlProblem, isInternalAddress, parseIPv6, specialAddress } from './ip-address.js';

describe('IP address meaning', () => {
  it('parses every RFC 4291 text form of IPv6 to the same bits', () => {
    const loopback = 1n;
    for (const text of ['::1', '0:0:0:0:0:0:0:1', '0000:0000::0001', '::0.0.0.1']) {
      expect(parseIPv6(text), text).toBe(loopback);
    }
    expect(parseIPv6('::ffff:127.0.0.1')).toBe(parseIPv6('::ffff:7f00:1'));
    expect(parseIPv6('1:2:3:4:5:6:1.2.3.4')).toBe(parseIPv6('1:2:3:4:5:6:102:304'));
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '::1.2.3', '1:2:3:4:5:6:7', '::256.0.0.1']) {
      expect(parseIPv6(bad), bad).toBeNull();
    }
  });

  it('names the IPv4 address inside NAT64, 6to4, mapped, compatible, translated and Teredo forms', () => {
    expect(specialAddress('64:ff9b::7f00:1')).toMatchObject({ range: '127.0.0.0/8' });
    expect(specialAddress('[2002:7f00:1::]')).toMatchObject({ range: '127.0.0.0/8' });
    expect(specialAddress('::127.0.0.1')).toMatchObject({ range: '127.0.0.0/8' });
    expect(specialAddress('::ffff:0:127.0.0.1')).toMatchObject({ range: '127.0.0.0/8' });
    expect(specialAddress('::ffff:169.254.169.254')?.embedded).toMatch(/^169\.254\.169\.254 inside IPv4-mapped/);
    // Teredo: client 10.0.0.1 stored inverted in the last 32 bits (RFC 4380 §4).
    expect(specialAddress('2001:0:4136:e378:8000:63bf:f5ff:fffe')).toMatchObject({ range: '10.0.0.0/8' });
  });

  it('lets a translated public IPv4 address through where the form is routable, and refuses deprecated forms whole', () => {
    expect(specialAddress('64:ff9b::8.8.8.8')).toBeNull();
    expect(specialAddress('2002:808:808::1')).toBeNull();
    expect(specialAddress('::ffff:8.8.8.8')).toBeNull();
    expect(specialAddress('::8.8.8.8')).toMatchObject({ range: '::/96' });
    expect(specialAddress('::ffff:0:8.8.8.8')).toMatchObject({ range: '::ffff:0:0:0/96' });
    expect(specialAddress('64:ff9b:1::8.8.8.8')).toMatchObject({ range: '64:ff9b:1::/48' });
    expect(specialAddress('2001:0:4136:e378:8000:63bf:f7f7:f7f7')).toMatchObject({ range: '2001::/23' });
  });

  it('refuses every entry of both IANA special-purpose registries and accepts public unicast', () => {
    const internal = [
      '0.1.2.3',
      '10.0.0.1',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.31.255.255',
      '192.0.0.9',
      '192.0.2.1',
      '192.31.196.1',
      '192.52.193.1',
      '192.88.99.1',
      '192.168.0.1',
      '192.175.48.1',
      '198.19.0.1',
      '198.51.100.1',
      '203.0.113.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::',
      '::1',
      '100::1',
      '100:0:0:1::1',
      '2001:db8::1',
      '2001:1::1',
      '2620:4f:8000::1',
      '3fff::1',
      '5f00::1',
      'fc00::1',
      'fd12::1',
      'fe80::1%eth0',
      'fec0::1',
      'ff02::1',
    ];
    for (const address of internal) expect(isInternalAddress(address), address).toBe(true);
    for (const address of ['8.8.8.8', '93.184.215.14', '2606:4700::1', '2a00:1450::1', '[2600::1]']) {
      expect(isInternalAddress(address), address).toBe(false);
    }
    expect(specialAddress('hooks.example.com')).toBeUndefined();
  });

  it('judges callback URLs by what the URL parser makes of their host', () => {
    expect(callbackUrlProblem('http://0x7f.1/x', false)).toBe('internal_address');
    expect(callbackUrlProblem('http://[::ffff:0:7f00:1]/x', false)).toBe('internal_address');
    expect(callbackUrlProblem('http://[64:ff9b::7f00:1]/x', true)).toBeNull();
    expect(callbackUrlProblem('https://hooks.example.com/x', false)).toBeNull();
    expect(callbackUrlProblem('ftp://hooks.example.com/x', false)).toBe('not_http');
  });
});
