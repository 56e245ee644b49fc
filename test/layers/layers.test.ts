// The layer rules of .dependency-cruiser.cjs hold for the code as it is, and they catch an import that breaks them.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CHECKOUT = join(import.meta.dirname, '../..');
const DEPCRUISE = join(CHECKOUT, 'node_modules/.bin/depcruise');

async function cruise(paths: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(DEPCRUISE, [...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
      cwd: CHECKOUT,
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

describe('layer rules', () => {
  it('hold for src and the web client', async () => {
    const result = await cruise(['src', 'web/src']);
    expect(result.output).toContain('no dependency violations found');
    expect(result.code).toBe(0);
  });

  it('refuse a use case that imports the HTTP edge', async () => {
    const dir = await mkdtemp(join(CHECKOUT, 'src/services/layers-probe-'));
    try {
      await writeFile(join(dir, 'probe.ts'), "export { buildApp } from '../../http/app.js';\n");
      const result = await cruise([dir.slice(CHECKOUT.length + 1)]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('services-below-the-edge');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuse the store importing a use case', async () => {
    const dir = await mkdtemp(join(CHECKOUT, 'src/store/layers-probe-'));
    try {
      await writeFile(join(dir, 'probe.ts'), "export { createTokenServices } from '../../services/tokens.js';\n");
      const result = await cruise([dir.slice(CHECKOUT.length + 1)]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('store-looks-down');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuse the CLI reaching the store past the services, but let it open the database', async () => {
    const dir = await mkdtemp(join(CHECKOUT, 'src/cli/layers-probe-'));
    try {
      await writeFile(join(dir, 'probe.ts'), "export { createToken } from '../../store/tokens.js';\n");
      await writeFile(join(dir, 'opens.ts'), "export { createDb } from '../../store/db.js';\n");
      const result = await cruise([dir.slice(CHECKOUT.length + 1)]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('cli-calls-services: src/cli/layers-probe-');
      expect(result.output).toContain('probe.ts → src/store/tokens.ts');
      expect(result.output).not.toContain('opens.ts');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const BIOME = join(CHECKOUT, 'node_modules/.bin/biome');

async function lint(paths: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(BIOME, ['lint', ...paths], { cwd: CHECKOUT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('function length (biome.json: noExcessiveLinesPerFunction, 150 lines in src, web/src, bin, scripts)', () => {
  it('holds for the code as it is', async () => {
    const result = await lint(['src', 'web/src', 'bin', 'scripts']);
    expect(result.output).not.toContain('noExcessiveLinesPerFunction');
    expect(result.code).toBe(0);
  });

  it('refuses a function of more than 150 lines', async () => {
    const dir = await mkdtemp(join(CHECKOUT, 'src/domain/length-probe-'));
    try {
      const body = Array.from({ length: 150 }, () => '  n += 1;');
      await writeFile(
        join(dir, 'probe.ts'),
        ['export function probe(): number {', '  let n = 0;', ...body, '  return n;', '}', ''].join('\n'),
      );
      const result = await lint([dir.slice(CHECKOUT.length + 1)]);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('noExcessiveLinesPerFunction');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
