// `npm run simulators`: starts every upstream simulator on 127.0.0.1 and prints the variables that point SMSgic at them.
import { startInfobipSimulator } from '../src/dispatch/providers/infobip/simulator.js';
import { startMessenteSimulator } from '../src/dispatch/providers/messente/simulator.js';
import { startSmscSimulator } from '../src/dispatch/providers/smpp/simulator.js';
import { startTrumpiaSimulator } from '../src/dispatch/providers/trumpia/simulator.js';
import { startTwilioSimulator } from '../src/dispatch/providers/twilio/simulator.js';

const REPORT_DELAY_MS = 1000;

const smsc = await startSmscSimulator({ port: 2775, receiptDelayMs: REPORT_DELAY_MS });
const infobip = await startInfobipSimulator({ port: 8101, reportDelayMs: REPORT_DELAY_MS });
const twilio = await startTwilioSimulator({ port: 8102, callbackDelayMs: REPORT_DELAY_MS });
const messente = await startMessenteSimulator({ port: 8103, dlrDelayMs: REPORT_DELAY_MS, record: false });
const trumpia = await startTrumpiaSimulator({ port: 8104, reportDelayMs: 2 * REPORT_DELAY_MS, record: false });

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
