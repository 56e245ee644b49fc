// Whether a failure means the database cannot be reached: every edge answers it alike (503, retry later).
export { isDatabaseUnavailable } from '../store/db.js';
