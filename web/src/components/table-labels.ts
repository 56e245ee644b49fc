// On a phone a table's rows become cards of label/value lines (styles.css, "Narrower screens"); each cell takes its
// column's heading as its label (`data-label`), read from the table's own header, so every table gets it without
// repeating its headings in its cells. A heading named only for screen readers (a column of actions) gives none.

function headingOf(cell: HTMLTableCellElement): string {
  const shown = cell.cloneNode(true) as HTMLElement;
  for (const hidden of shown.querySelectorAll('.visually-hidden')) hidden.remove();
  return shown.textContent?.trim() ?? '';
}

/** Labels the body cells of every `.table` under `root` with their column's heading. */
export function labelTableCells(root: ParentNode): void {
  for (const table of root.querySelectorAll<HTMLTableElement>('table.table')) {
    const header = table.tHead?.rows[0];
    if (!header) continue;
    const headings: string[] = [];
    for (const cell of header.cells) {
      for (let span = 0; span < cell.colSpan; span++) headings.push(headingOf(cell));
    }
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          const label = headings[column] ?? '';
          if (cell.dataset.label !== label) cell.dataset.label = label;
          column += cell.colSpan;
        }
      }
    }
  }
}

/** Keeps every table of the document labelled as pages render and update them. */
export function keepTableCellsLabelled(root: HTMLElement): void {
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      labelTableCells(root);
    });
  });
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  labelTableCells(root);
}
