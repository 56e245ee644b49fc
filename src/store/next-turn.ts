// Gathering what arrives together: a group started the moment its first member arrives holds only that one, since on
// SQLite a transaction runs to its commit without giving the event loop a turn. Started on the next turn instead, it
// holds every member that arrived in the same turn (the requests read from the sockets in one poll), for the cost of
// one `setImmediate`.

/** A function that runs `start` on the event loop's next turn, once however often it is called before then. */
export function onNextTurn(start: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      start();
    });
  };
}
