// `npm start`: the API, the dashboard and the dispatch worker in one process, on SQLite unless DATABASE_URL says otherwise.
import { runServer } from './server.js';

await runServer({ api: true, worker: true });
