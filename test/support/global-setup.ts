// Runs once before the whole suite, before any test file: the CLI and browser tests run the compiled build, so it is
// brought up to date here, never from inside a test.
import { buildIfStale } from './build.js';

export default function setup(): void {
  buildIfStale();
}
