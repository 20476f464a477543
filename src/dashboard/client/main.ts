import { ApiError, apiKey, getJson, request, shared } from './api.js';
import { $, clearError, h, replace, showError } from './dom.js';
import { runWidget } from './views/runs.js';
import { routes, type Session, type View } from './views/index.js';

/**
 * Who is looking decides what they see: a person signed in with Facebook (session cookie, GET /v1/me answers 200)
 * gets their own page; otherwise a marketer's API key from sessionStorage; otherwise the sign-in screen.
 */
async function resolveSession(): Promise<Session | undefined> {
  // A share link opens its report read-only, whoever else is signed in in this browser.
  const link = /^#\/shared\/([^/?]+)/.exec(location.hash);
  if (link) {
    shared.set(decodeURIComponent(link[1]!));
    return { kind: 'shared' };
  }
  try {
    const me = await getJson<Record<string, unknown>>('/v1/me', { useKey: false });
    return { kind: 'person', me };
  } catch (err) {
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403 && err.status !== 404)) throw err;
  }
  if (apiKey.get()) return { kind: 'marketer' };
  return undefined;
}

/** What the login callback's redirect (`/#/?login=failed&reason=…`) means, in words for the person. */
const LOGIN_FAILURES: Record<string, string> = {
  denied: 'The Facebook login was cancelled, so nothing was imported. Log in again when you are ready.',
  state: 'That login could not be matched to this browser (it expired, or was started in another tab). Please log in again.',
  invalid: 'Facebook did not confirm the login (the link was incomplete or already used). Please log in again.',
  provider: 'Facebook could not be reached or failed, so nothing was imported and your data is unchanged. Please try again later.',
  'too-many-likes': 'You have more Facebook likes than we import at once; rather than keep only some of them, nothing was imported.',
};

/** Takes a failed-login notice out of the address (so a reload does not repeat it) and returns its message. */
function takeLoginFailure(): string | undefined {
  const m = /^#\/\?(.*)$/.exec(location.hash);
  if (!m) return undefined;
  const q = new URLSearchParams(m[1]);
  if (q.get('login') !== 'failed') return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return LOGIN_FAILURES[q.get('reason') ?? ''] ?? 'The Facebook login failed. Please try again.';
}

let session: Session | undefined;
/** A message for the next view that renders (a failed login), shown in the alert box once. */
let notice: string | undefined;

function showNotice() {
  if (notice) showError(notice);
  notice = undefined;
}
let cleanup: (() => void) | undefined;
let abort: AbortController | undefined;

async function render(): Promise<void> {
  cleanup?.();
  cleanup = undefined;
  abort?.abort();
  const controller = new AbortController();
  abort = controller;
  clearError();
  const root = $('view');
  const path = location.hash.replace(/^#/, '') || '/';

  if (!session) {
    renderSignIn(root);
    showNotice();
    return;
  }
  const match = routes(session)
    .map((r) => ({ r, m: r.pattern.exec(path) }))
    .find((x) => x.m);
  if (!match) {
    // A share link's reader stays on the report (there is nothing else for them to see).
    if (session.kind === 'shared') location.hash = `#/shared/${encodeURIComponent(shared.get() ?? '')}`;
    else location.hash = session.kind === 'person' ? '#/me' : '#/segments';
    return;
  }
  highlightNav(path);
  replace(root, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const params = match.m!.slice(1).map((p) => decodeURIComponent(p ?? ''));
    const view: View = match.r.view;
    const done = (await view({ root, params, session, signal: controller.signal, rerender: () => void render(), endSession })) ?? undefined;
    // Navigated away while this view was loading: the next view owns the page now.
    if (controller.signal.aborted) done?.();
    else {
      cleanup = done;
      showNotice();
    }
  } catch (err) {
    if (controller.signal.aborted) return;
    // A revoked key or an expired session: back to signing in, with the server's reason.
    if (err instanceof ApiError && err.status === 401 && session.kind !== 'shared') {
      if (session.kind === 'marketer') apiKey.clear();
      session = undefined;
      renderChrome();
      renderSignIn(root, err.message);
      return;
    }
    replace(root);
    showError(err);
  }
}

function highlightNav(path: string) {
  $('nav')
    .querySelectorAll('a')
    .forEach((a) => {
      const target = a.getAttribute('href')!.slice(1);
      if (path === target || path.startsWith(target + '/')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
}

function renderChrome() {
  const nav = $('nav');
  const who = $('who');
  nav.hidden = session?.kind !== 'marketer';
  if (!session) {
    replace(who);
  } else if (session.kind === 'shared') {
    replace(who, h('span', {}, 'Shared report · read-only'));
  } else if (session.kind === 'marketer') {
    replace(
      who,
      runWidget(() => void render()),
      h('button', { type: 'button', class: 'link', onclick: () => signOut() }, 'Sign out'),
    );
  } else {
    const name = typeof session.me.name === 'string' ? session.me.name : 'you';
    replace(
      who,
      h('span', {}, `Signed in as ${name}`),
      h('button', { type: 'button', class: 'link', onclick: () => void logOutPerson() }, 'Log out'),
    );
  }
}

function renderSignIn(root: HTMLElement, problem?: string) {
  const keyInput = h('input', {
    id: 'api-key',
    name: 'apiKey',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const form = h(
    'form',
    {
      class: 'card signin',
      'aria-labelledby': 'signin-marketer',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void signInWithKey(keyInput.value.trim());
      },
    },
    h('h2', { id: 'signin-marketer' }, 'Marketers'),
    h('label', { for: 'api-key' }, 'API key'),
    keyInput,
    h('p', { class: 'hint' }, 'Kept in this browser tab only (sessionStorage) and sent as a bearer token.'),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  replace(
    root,
    h('h1', {}, 'Sign in'),
    h(
      'div',
      { class: 'signin-grid' },
      form,
      h(
        'section',
        { class: 'card signin', 'aria-labelledby': 'signin-person' },
        h('h2', { id: 'signin-person' }, 'You'),
        h('p', {}, 'See what we know about your interests, your segment of one, and remove or erase it.'),
        h('a', { class: 'button facebook', href: '/auth/facebook' }, 'Log in with Facebook'),
      ),
    ),
  );
  if (problem) showError(problem);
  keyInput.focus();
}

async function signInWithKey(key: string) {
  clearError();
  if (!key) return showError('Paste an API key first.');
  apiKey.set(key);
  try {
    // Any read a marketer may do proves the key; a 404 (no segmentation run yet) still means the key works.
    await request('/v1/segments');
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      apiKey.clear();
      return showError(err.status === 403 ? `This key may not browse segments: ${err.message}` : err.message);
    }
    if (!(err instanceof ApiError && err.status === 404)) {
      apiKey.clear();
      return showError(err);
    }
  }
  // The page keeps the key in this tab's storage, where any script on the page could read it: an admin key (keys,
  // erasure) is not to be left there. Admin work goes through the API.
  try {
    const self = await getJson<{ role: string }>('/v1/api-keys/current');
    if (self.role === 'admin') {
      apiKey.clear();
      return showError('Admin keys cannot sign in here: the page keeps the key in this browser tab. Sign in with a marketer key.');
    }
  } catch (err) {
    apiKey.clear();
    return showError(err);
  }
  session = { kind: 'marketer' };
  renderChrome();
  if (location.hash === '' || location.hash === '#/' || location.hash === '#/me') location.hash = '#/segments';
  else await render();
}

function signOut() {
  apiKey.clear();
  session = undefined;
  renderChrome();
  location.hash = '#/';
  void render();
}

async function logOutPerson() {
  try {
    await request('/auth/logout', { method: 'POST', useKey: false });
  } catch (err) {
    showError(err);
    return;
  }
  session = undefined;
  renderChrome();
  location.hash = '#/';
  void render();
}

/** After erasure the person's session is gone: back to the sign-in screen. */
function endSession() {
  session = undefined;
  renderChrome();
  if (location.hash !== '#/') location.hash = '#/';
  else void render();
}

async function boot() {
  notice = takeLoginFailure();
  try {
    session = await resolveSession();
  } catch (err) {
    showError(err);
  }
  renderChrome();
  window.addEventListener('hashchange', () => void render());
  await render();
}

void boot();
