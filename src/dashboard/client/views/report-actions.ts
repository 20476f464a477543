import { sendJson, type AudienceDefinition } from '../api.js';
import { clearError, fmtTime, h, replace, showError } from '../dom.js';
import { download } from '../download.js';

interface ShareLink {
  id: string;
  url: string;
  expiresAt: string;
}

const EXPIRIES: Array<[string, number]> = [
  ['1 day', 24],
  ['7 days', 168],
  ['30 days', 720],
];

/**
 * Report of an audience (the thresholds chosen on the page): PDF and PNG chart printed by the server's headless
 * Chromium from the report view, CSV of its figures, and a share link that opens the report read-only without a key.
 */
export function reportCard(audience: () => AudienceDefinition, title: string, signal: AbortSignal): HTMLElement {
  const status = h('span', { role: 'status', class: 'muted', id: 'report-status' });
  const exporter = (format: 'pdf' | 'png' | 'csv', label: string) => {
    const button: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () =>
          void download('/v1/reports/export', {
            method: 'POST',
            body: { audience: audience(), title, format },
            accept: format === 'pdf' ? 'application/pdf' : format === 'png' ? 'image/png' : 'text/csv',
            signal,
            button,
            status,
            what: label,
          }),
      },
      label,
    );
    return button;
  };

  const expiry = h(
    'select',
    { id: 'share-expiry', 'aria-label': 'Link valid for' },
    EXPIRIES.map(([label, hours]) => h('option', { value: hours, selected: hours === 168 }, label)),
  );
  const linkBox = h('div', { id: 'share-link' });
  const create = h('button', { type: 'button', onclick: () => void share() }, 'Create share link');
  const share = async () => {
    clearError();
    create.disabled = true;
    try {
      const link = (await sendJson<ShareLink>(
        'POST',
        '/v1/reports/share-links',
        { audience: audience(), title, expiresInHours: Number(expiry.value) },
        { signal },
      ))!;
      const revoke: HTMLButtonElement = h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            revoke.disabled = true;
            try {
              await sendJson('DELETE', `/v1/reports/share-links/${encodeURIComponent(link.id)}`, undefined, { signal });
              replace(
                linkBox,
                h('p', { role: 'status', id: 'share-state', 'data-state': 'revoked' }, 'Link revoked: it no longer opens the report.'),
              );
            } catch (err) {
              revoke.disabled = false;
              showError(err);
            }
          },
        },
        'Revoke',
      );
      replace(
        linkBox,
        h('label', { for: 'share-url' }, 'Read-only link'),
        h('input', { id: 'share-url', type: 'text', readonly: true, value: link.url, 'data-link-id': link.id }),
        h(
          'p',
          { class: 'hint', id: 'share-state', 'data-state': 'active' },
          `Anyone with this link can read the report until ${fmtTime(link.expiresAt)}.`,
        ),
        revoke,
      );
    } catch (err) {
      if (!signal.aborted) showError(err);
    } finally {
      create.disabled = false;
    }
  };

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'report-h' },
    h('h2', { id: 'report-h' }, 'Report'),
    h('p', { class: 'hint' }, 'This audience at the thresholds above, with what makes it different.'),
    h('div', { class: 'actions' }, exporter('pdf', 'Download PDF'), exporter('png', 'Chart (PNG)'), exporter('csv', 'Report CSV'), status),
    h('div', { class: 'inline-form' }, create, expiry),
    linkBox,
  );
}
