// `npm run simulators`: starts every upstream simulator on 127.0.0.1 and prints the variables that point SMSgic at them.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadNumberingPlan } from '../src/data/numbering.js';
import { type DeliveryByDestination, parseDeliveryProfileCsv } from '../src/dispatch/providers/delivery-profile.js';
import { startInfobipSimulator } from '../src/dispatch/providers/infobip/simulator.js';
import { startMessenteSimulator } from '../src/dispatch/providers/messente/simulator.js';
import { startSmscSimulator } from '../src/dispatch/providers/smpp/simulator.js';
import { startTrumpiaSimulator } from '../src/dispatch/providers/trumpia/simulator.js';
import { startTwilioSimulator } from '../src/dispatch/providers/twilio/simulator.js';

const REPORT_DELAY_MS = 1000;

/**
 * Each simulator's port: `--smpp-port 2776` (and --infobip-port, …), or SIMULATOR_SMPP_PORT=2776 (and
 * SIMULATOR_INFOBIP_PORT, …), else the default below; 0 lets the system choose (the printed variables say which).
 */
const DEFAULT_PORTS = { smpp: 2775, infobip: 8101, twilio: 8102, messente: 8103, trumpia: 8104 } as const;
type Simulator = keyof typeof DEFAULT_PORTS;
const { values: args } = parseArgs({
  options: {
    ...Object.fromEntries(Object.keys(DEFAULT_PORTS).map((name) => [`${name}-port`, { type: 'string' as const }])),
    delivery: { type: 'string' as const },
  },
});

/**
 * `--delivery FILE` (or SIMULATOR_DELIVERY_FILE): delivery ratios by destination, the sandbox's format
 * (data/sandbox/README.md), for the SMSC, Infobip and Twilio; numbers their scripts name keep their outcomes.
 */
function deliveryProfile(): DeliveryByDestination | undefined {
  const path = (args.delivery as string | undefined) ?? process.env.SIMULATOR_DELIVERY_FILE;
  if (path === undefined) return undefined;
  const parsed = parseDeliveryProfileCsv(readFileSync(path, 'utf8'));
  if (!parsed.ok) throw new RangeError(`${path}: ${parsed.errors.join('; ')}`);
  const plan = loadNumberingPlan();
  return { profile: parsed.profile, destinationOf: (digits) => plan.resolve(digits) };
}
const delivery = deliveryProfile();
function portOf(name: Simulator): number {
  const text =
    (args as Record<string, string | undefined>)[`${name}-port`] ?? process.env[`SIMULATOR_${name.toUpperCase()}_PORT`];
  if (text === undefined) return DEFAULT_PORTS[name];
  const port = Number(text);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new RangeError(`the ${name} simulator's port must be 0..65535, got "${text}"`);
  }
  return port;
}

const smsc = await startSmscSimulator({
  port: portOf('smpp'),
  receiptDelayMs: REPORT_DELAY_MS,
  ...(delivery && { delivery }),
});
const infobip = await startInfobipSimulator({
  port: portOf('infobip'),
  reportDelayMs: REPORT_DELAY_MS,
  ...(delivery && { delivery }),
});
const twilio = await startTwilioSimulator({
  port: portOf('twilio'),
  callbackDelayMs: REPORT_DELAY_MS,
  ...(delivery && { delivery }),
});
const messente = await startMessenteSimulator({ port: portOf('messente'), dlrDelayMs: REPORT_DELAY_MS, record: false });
const trumpia = await startTrumpiaSimulator({
  port: portOf('trumpia'),
  reportDelayMs: 2 * REPORT_DELAY_MS,
  record: false,
});

const lines = [
  `SMPP_URL=${smsc.url}`,
  `INFOBIP_BASE_URL=${infobip.url}`,
  `INFOBIP_API_KEY=${infobip.apiKey}`,
  `TWILIO_BASE_URL=${twilio.url}`,
  `TWILIO_ACCOUNT_SID=${twilio.accountSid}`,
  `TWILIO_AUTH_TOKEN=${twilio.authToken}`,
  `MESSENTE_BASE_URL=${messente.url}`,
  `MESSENTE_USERNAME=${messente.username}`,
  `MESSENTE_PASSWORD=${messente.password}`,
  `TRUMPIA_BASE_URL=${trumpia.url}`,
  `TRUMPIA_USERNAME=${trumpia.username}`,
  `TRUMPIA_API_KEY=${trumpia.apiKey}`,
];

console.log('Upstream simulators running on 127.0.0.1. Start SMSgic with (PUBLIC_URL must reach it for reports):\n');
for (const line of lines) console.log(`  ${line}`);
console.log('\nCtrl-C stops them.');

const stop = async () => {
  await Promise.all([smsc.close(), infobip.close(), twilio.close(), messente.close(), trumpia.close()]);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
