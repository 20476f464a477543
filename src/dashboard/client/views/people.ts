import { ApiError, getJson, type Affinities } from '../api.js';
import { segmentBars } from '../bars.js';
import { h, replace, showError } from '../dom.js';
import { loadSegments } from '../segments-data.js';
import type { View } from './view.js';

/** A marketer looks up one person (`crm:c-1`, `facebook:…` or the service's id) and sees their segment of one. */
export const peopleView: View = async ({ root, params, signal }) => {
  const user = params[0] ?? '';
  const input = h('input', {
    id: 'person-user',
    name: 'user',
    type: 'search',
    value: user,
    placeholder: 'crm:c-1042',
    required: true,
    autocomplete: 'off',
  });
  const result = h('section', { 'aria-label': 'Segment of one', 'aria-live': 'polite' });
  replace(
    root,
    h('h1', {}, 'Segment of one'),
    h(
      'form',
      {
        class: 'card inline-form',
        role: 'search',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const v = input.value.trim();
          if (v) location.hash = `#/people/${encodeURIComponent(v)}`;
        },
      },
      h('label', { for: 'person-user' }, 'Person'),
      input,
      h('button', { type: 'submit' }, 'Look up'),
      h('span', { class: 'hint' }, 'As source:id (crm:c-1042, facebook:123…) or the service’s user id'),
    ),
    result,
  );
  if (!user) {
    input.focus();
    return;
  }
  let a: Affinities;
  let segs: Awaited<ReturnType<typeof loadSegments>> | undefined;
  try {
    [a, segs] = await Promise.all([
      getJson<Affinities>(`/v1/users/${encodeURIComponent(user)}/affinities`, { signal }),
      loadSegments(signal).catch(() => undefined),
    ]);
  } catch (err) {
    // Keep the form: a mistyped id is corrected in place.
    if (err instanceof ApiError && err.status !== 401) {
      showError(err);
      input.select();
      return;
    }
    throw err;
  }
  replace(
    result,
    h('h2', {}, a.user),
    segmentBars(a, segs?.colours),
    a.suggestedTopics && a.suggestedTopics.length > 0
      ? h(
          'div',
          { class: 'card' },
          h('h3', {}, 'Suggested topics'),
          h(
            'ul',
            { class: 'chips' },
            a.suggestedTopics.map((t) => h('li', {}, h('a', { href: `#/graph/${encodeURIComponent(t.id)}` }, t.name))),
          ),
        )
      : null,
  );
};
