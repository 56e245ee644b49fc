// Worker threads running a TypeScript file of the sources: a thread does not inherit the test runner's module hooks, so
// it registers tsx's before loading the file.
import { Worker } from 'node:worker_threads';

export function typeScriptThread(file: URL, workerData: unknown): Worker {
  const load = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(load, { eval: true, workerData });
}
