// Running a provider simulator as a program: started when its own file is the one run, closed on SIGINT or SIGTERM.
import { pathToFileURL } from 'node:url';

/** Runs `start` when `moduleUrl` is the file node was started with; the simulator it starts closes on a signal. */
export function runAsProgram(moduleUrl: string, start: () => Promise<{ close(): Promise<void> }>): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  start().then(
    (simulator) => {
      const stop = () => {
        void simulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
