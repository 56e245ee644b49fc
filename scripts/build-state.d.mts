/** What is missing from the build of `root` or older than its source (see build-state.mjs). */
export function staleBuild(root: string): string[];
