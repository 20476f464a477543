import { request, type RequestOptions } from './api.js';
import { clearError, h, showError } from './dom.js';

/** The server's file name (content-disposition), else `fallback`. */
function filenameOf(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return m?.[1] ?? fallback;
}

/**
 * Fetches a file with the page's credentials (a key or a share token: a plain link could not send them) and saves it
 * through a Blob link under `name` (default: the server's). `button` is disabled meanwhile; `status` says what
 * happened. Returns the file name.
 */
export async function download(
  path: string,
  opts: RequestOptions & { name?: string; button?: HTMLButtonElement; status?: HTMLElement; what?: string },
): Promise<string | undefined> {
  clearError();
  if (opts.button) opts.button.disabled = true;
  if (opts.status) opts.status.textContent = `Preparing the ${opts.what ?? 'file'}…`;
  try {
    const res = await request(path, opts);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const name = opts.name ?? filenameOf(res, 'download');
    const a = h('a', { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    if (opts.status) opts.status.textContent = `Downloaded ${name}`;
    return name;
  } catch (err) {
    if (opts.status) opts.status.textContent = '';
    if (!opts.signal?.aborted) showError(err);
    return undefined;
  } finally {
    if (opts.button) opts.button.disabled = false;
  }
}
