import { getJson, request, sendJson } from '../api.js';
import { clearError, h, replace, showError } from '../dom.js';
import type { View } from './view.js';

interface Mark {
  kind: 'category' | 'topic';
  id: string | null;
  name: string;
  category: string | null;
  markedAt: string | null;
}

/**
 * What is kept out as sensitive (health, religion, politics, sexuality…), for marketers to see; marking and unmarking
 * take an admin key typed on this page. The dashboard never stores an admin key: it lives in the field, for the
 * requests made from it, and is gone when the page is left.
 */
export const sensitiveView: View = async ({ root, signal }) => {
  const status = h('p', { role: 'status', id: 'sensitive-status', class: 'muted' });
  const listBox = h('div');
  const adminKey = h('input', { id: 'admin-key', type: 'password', autocomplete: 'off', placeholder: 'nsk_…' });
  const admin = () => {
    const key = adminKey.value.trim();
    if (!key) throw new Error('Marking and unmarking need an admin key: type it in the Admin key field.');
    return { key };
  };

  const load = async () => {
    const page = await getJson<{ items: Mark[] }>('/v1/sensitive-topics?limit=1000', { signal });
    replace(
      listBox,
      page.items.length === 0
        ? h('p', { class: 'muted' }, 'Nothing is marked sensitive.')
        : h(
            'ul',
            { class: 'interests', 'aria-label': 'Sensitive marks' },
            page.items.map((m) => {
              const what = m.kind === 'category' ? `category ${m.name}` : m.name;
              const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Unmark ${what}` }, 'Unmark');
              button.addEventListener('click', () => void unmark(m, button));
              return h(
                'li',
                {},
                h('span', { class: 'badge' }, m.kind === 'category' ? 'Category' : 'Topic'),
                ' ',
                h('span', { class: 'interest-name' }, m.name),
                m.category ? h('span', { class: 'muted' }, ` · ${m.category}`) : null,
                button,
              );
            }),
          ),
    );
  };

  const unmark = async (m: Mark, button: HTMLButtonElement) => {
    clearError();
    button.disabled = true;
    const path =
      m.kind === 'category'
        ? `/v1/sensitive-topics/categories/${encodeURIComponent(m.name)}`
        : `/v1/sensitive-topics/topics/${encodeURIComponent(m.id!)}`;
    try {
      await request(path, { ...admin(), method: 'DELETE' });
      await load();
      status.textContent = `Unmarked “${m.name}”: it is segmented again from the next run.`;
    } catch (err) {
      button.disabled = false;
      showError(err);
    }
  };

  const markForm = (kind: 'topic' | 'category', label: string, hint: string) => {
    const id = `mark-${kind}`;
    const input = h('input', { id, type: 'text', required: true, autocomplete: 'off' });
    const form = h(
      'form',
      { class: 'card inline-form' },
      h('label', { for: id }, label),
      input,
      h('button', { type: 'submit' }, 'Mark sensitive'),
      h('span', { class: 'hint' }, hint),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearError();
      const v = input.value.trim();
      if (!v) return;
      try {
        const segment = kind === 'topic' ? 'topics' : 'categories';
        const mark = await sendJson<Mark & { topics?: number }>(
          'PUT',
          `/v1/sensitive-topics/${segment}/${encodeURIComponent(v)}`,
          undefined,
          admin(),
        );
        input.value = '';
        await load();
        status.textContent =
          kind === 'category' ? `Marked category “${mark?.name ?? v}” (${mark?.topics ?? 0} topics now).` : `Marked “${mark?.name ?? v}”.`;
      } catch (err) {
        showError(err);
      }
    });
    return form;
  };

  await load();
  replace(
    root,
    h('h1', {}, 'Sensitive topics'),
    h(
      'p',
      { class: 'lede' },
      'Sensitive topics never enter segmentation, affinities, suggestions, audience rules or exports. People still see them, flagged, on their own page.',
    ),
    status,
    h(
      'div',
      { class: 'card inline-form' },
      h('label', { for: 'admin-key' }, 'Admin key'),
      adminKey,
      h('span', { class: 'hint' }, 'Used for marking and unmarking only; never stored'),
    ),
    markForm('category', 'Category', 'Every topic filed under it, now and later (e.g. Health)'),
    markForm('topic', 'Topic', 'A topic by name or id'),
    h('section', { 'aria-labelledby': 'marks-h' }, h('h2', { id: 'marks-h' }, 'Marked'), listBox),
  );
};
