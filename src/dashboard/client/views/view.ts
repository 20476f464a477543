/** What every view is given and returns (its own file, so views and the route table do not import each other). */
export type Session = { kind: 'marketer' } | { kind: 'person'; me: Record<string, unknown> } | { kind: 'shared' };

export interface ViewContext {
  root: HTMLElement;
  /** Decoded capture groups of the route pattern. */
  params: string[];
  session: Session;
  /** Aborted when the user navigates away: views stop fetching and polling. */
  signal: AbortSignal;
  rerender: () => void;
  endSession: () => void;
}

/** A view renders into `root`; it may return a cleanup (e.g. to free the WebGL context). */
export type View = (ctx: ViewContext) => Promise<void | (() => void)>;
