import { getJson, request, sendJson, type Affinities } from '../api.js';
import { segmentBars } from '../bars.js';
import { clearError, h, replace, showError } from '../dom.js';
import type { View } from './view.js';

interface Interest {
  topicId: string;
  name: string;
  category?: string | null;
  weight?: number;
  sources?: string[];
  sensitive?: boolean;
}

/** /v1/me/interests items may name the topic id `topicId` or `id`, and the name `name` or `topic`. */
function normalizeInterest(raw: Record<string, unknown>): Interest {
  return {
    topicId: String(raw.topicId ?? raw.id ?? ''),
    name: String(raw.name ?? raw.topic ?? raw.topicId ?? raw.id ?? ''),
    category: typeof raw.category === 'string' ? raw.category : null,
    weight: typeof raw.weight === 'number' ? raw.weight : undefined,
    sources: Array.isArray(raw.sources) ? raw.sources.map(String) : undefined,
    sensitive: raw.sensitive === true,
  };
}

function consentOf(me: Record<string, unknown>): boolean {
  const c = me.consent;
  if (c && typeof c === 'object' && typeof (c as Record<string, unknown>).segmentation === 'boolean') {
    return (c as Record<string, boolean>).segmentation!;
  }
  if (typeof me.consentSegmentation === 'boolean') return me.consentSegmentation;
  return true;
}

const noKey = { useKey: false } as const;

/** A person's own page: what we hold about their interests, their segment of one, and the controls over it. */
export const meView: View = async ({ root, signal, endSession }) => {
  const [me, interestsBody] = await Promise.all([
    getJson<Record<string, unknown>>('/v1/me', { ...noKey, signal }),
    getJson<Array<Record<string, unknown>> | { items: Array<Record<string, unknown>> }>('/v1/me/interests?limit=1000', { ...noKey, signal }),
  ]);
  let interests = (Array.isArray(interestsBody) ? interestsBody : interestsBody.items).map(normalizeInterest);
  const status = h('p', { role: 'status', id: 'me-status', class: 'muted' });
  const interestsBox = h('div');
  const barsBox = h('div');

  const loadBars = async () => {
    try {
      const a = await getJson<Affinities>('/v1/me/affinities', { ...noKey, signal });
      replace(barsBox, segmentBars(a));
    } catch (err) {
      if (!signal.aborted) replace(barsBox, h('p', { class: 'muted' }, (err as Error).message));
    }
  };

  const removeInterest = async (i: Interest, button: HTMLButtonElement) => {
    clearError();
    button.disabled = true;
    try {
      await request(`/v1/me/interests/${encodeURIComponent(i.topicId)}`, { ...noKey, method: 'DELETE' });
      interests = interests.filter((x) => x.topicId !== i.topicId);
      showInterests();
      await loadBars();
      // Announced once the segment of one shows the change too.
      status.textContent = `Removed “${i.name}”. It will not come back from your next login.`;
    } catch (err) {
      button.disabled = false;
      showError(err);
    }
  };

  const showInterests = () => {
    replace(
      interestsBox,
      interests.length === 0
        ? h('p', { class: 'muted' }, 'We hold no interests for you.')
        : h(
            'ul',
            { class: 'interests', 'aria-label': 'Your interests' },
            interests.map((i) => {
              const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${i.name}` }, 'Remove');
              button.addEventListener('click', () => void removeInterest(i, button));
              return h(
                'li',
                {},
                h('span', { class: 'interest-name' }, i.name),
                i.sensitive
                  ? h(
                      'span',
                      { class: 'badge sensitive', title: 'Sensitive: never used for segments, affinities, suggestions or audiences' },
                      'Sensitive',
                    )
                  : null,
                i.category ? h('span', { class: 'muted' }, ` · ${i.category}`) : null,
                i.sources?.length ? h('span', { class: 'muted' }, ` · from ${i.sources.join(', ')}`) : null,
                button,
              );
            }),
          ),
    );
  };

  const consent = h('input', { id: 'consent', type: 'checkbox', checked: consentOf(me) });
  consent.addEventListener('change', async () => {
    clearError();
    const wanted = consent.checked;
    consent.disabled = true;
    try {
      await sendJson('PUT', '/v1/me/consent', { segmentation: wanted }, noKey);
      await loadBars();
      status.textContent = wanted
        ? 'Consent given: your interests are used for segmentation again.'
        : 'Consent withdrawn: your interests are no longer used for segmentation.';
    } catch (err) {
      consent.checked = !wanted;
      showError(err);
    } finally {
      consent.disabled = false;
    }
  });

  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'group', 'aria-label': 'Confirm erasure' });
  const eraseButton = h('button', { type: 'button', class: 'danger' }, 'Erase my data…');
  eraseButton.addEventListener('click', () => {
    confirmBox.hidden = false;
    eraseButton.disabled = true;
    confirmButton.focus();
  });
  const confirmButton = h('button', { type: 'button', class: 'danger' }, 'Yes, erase everything');
  const cancelButton = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  cancelButton.addEventListener('click', () => {
    confirmBox.hidden = true;
    eraseButton.disabled = false;
  });
  confirmButton.addEventListener('click', async () => {
    clearError();
    confirmButton.disabled = true;
    try {
      await request('/v1/me', { ...noKey, method: 'DELETE' });
      replace(root, h('h1', {}, 'Erased'), h('p', { role: 'status' }, 'Your data has been erased: your profile, interests and segment of one are gone.'));
      setTimeout(endSession, 2500);
    } catch (err) {
      confirmButton.disabled = false;
      showError(err);
    }
  });
  replace(
    confirmBox,
    h('p', {}, 'This deletes you, your interests and everything derived from them. It cannot be undone.'),
    confirmButton,
    cancelButton,
  );

  const name = typeof me.name === 'string' && me.name ? me.name : 'Your page';
  showInterests();
  replace(
    root,
    h('h1', {}, name),
    status,
    h(
      'div',
      { class: 'columns' },
      h('section', { 'aria-labelledby': 'interests-h' }, h('h2', { id: 'interests-h' }, 'Your interests'), interestsBox),
      h('section', { 'aria-labelledby': 'soo-h' }, h('h2', { id: 'soo-h' }, 'Your segment of one'), barsBox),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'privacy-h' },
      h('h2', { id: 'privacy-h' }, 'Privacy'),
      h('div', { class: 'field inline' }, consent, h('label', { for: 'consent' }, 'Use my interests for segmentation')),
      h('div', { class: 'actions' }, eraseButton),
      confirmBox,
    ),
  );
  await loadBars();
};
