// A one-shot signal between two parts of a test: one part awaits `fired`, the other calls `fire()` (a transaction held
// open until the test releases it, a step reached that the test waits for).
export interface Signal {
  readonly fired: Promise<void>;
  readonly fire: () => void;
}

export function signal(): Signal {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}
