// `npm run simulators`: starts every upstream simulator on 127.0.0.1 and prints the variables that point SMSgic at them.
import { startSmscSimulator } from '../src/dispatch/providers/smpp/simulator.js';

const SMPP_PORT = Number(process.env.SMPP_SIMULATOR_PORT ?? 2775);

const smsc = await startSmscSimulator({ port: SMPP_PORT, receiptDelayMs: 1000 });
const lines = [`SMPP_URL=${smsc.url}`];

console.log('Upstream simulators running on 127.0.0.1. Start SMSgic with:\n');
for (const line of lines) console.log(`  ${line}`);
console.log('\nCtrl-C stops them.');

const stop = async () => {
  await smsc.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
