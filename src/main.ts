// Entry point of `npm start`: wires the platform together and runs it.
import { loadNumberingPlan } from './data/numbering.js';

const plan = loadNumberingPlan();
console.log(
  `SMSgic: pricing core ready (${plan.countries.length} countries and territories). ` +
    'The HTTP API, dashboard and dispatch worker are not part of this version yet; nothing to serve.',
);
