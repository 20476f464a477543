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

type Purpose = 'segmentation' | 'personalization' | 'marketing';
const PURPOSES: Purpose[] = ['segmentation', 'personalization', 'marketing'];

/** Consent per purpose from /v1/me (absent purposes: given, the service's default). */
function consentOf(me: Record<string, unknown>): Record<Purpose, boolean> {
  const c = (me.consent && typeof me.consent === 'object' ? me.consent : {}) as Record<string, unknown>;
  const seg =
    typeof c.segmentation === 'boolean' ? c.segmentation : typeof me.consentSegmentation === 'boolean' ? me.consentSegmentation : true;
  return { segmentation: seg, personalization: c.personalization !== false, marketing: c.marketing !== false };
}

const PURPOSE_TEXT: Record<Purpose, { label: string; given: string; withdrawn: string }> = {
  segmentation: {
    label: 'Use my interests for segmentation',
    given: 'Consent given: your interests are used for segmentation again.',
    withdrawn: 'Consent withdrawn: your interests are no longer used for segmentation.',
  },
  personalization: {
    label: 'Personalize content for me',
    given: 'Personalization consent given: content systems may use your segment of one.',
    withdrawn: 'Personalization consent withdrawn: content systems no longer see your segment of one.',
  },
  marketing: {
    label: 'Include me in marketing audiences',
    given: 'Marketing consent given: you may be included in audiences again.',
    withdrawn: 'Marketing consent withdrawn: you are in no audience, export or delivery.',
  },
};

const noKey = { useKey: false } as const;

/** A person's own page: what we hold about their interests, their segment of one, and the controls over it. */
export const meView: View = async ({ root, signal, endSession }) => {
  const [me, interestsBody] = await Promise.all([
    getJson<Record<string, unknown>>('/v1/me', { ...noKey, signal }),
    getJson<Array<Record<string, unknown>> | { items: Array<Record<string, unknown>> }>('/v1/me/interests?limit=1000', {
      ...noKey,
      signal,
    }),
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

  // One checkbox per purpose; each change names every purpose, so the v1 reading of `{segmentation}` alone (every
  // purpose) never overrides the other two choices. Personalization and marketing need segmentation.
  let stated = consentOf(me);
  const historyBox = h('div');
  const boxes = {} as Record<Purpose, HTMLInputElement>;
  const syncBoxes = () => {
    for (const p of PURPOSES) {
      boxes[p].checked = stated[p];
      boxes[p].disabled = p !== 'segmentation' && !stated.segmentation;
    }
  };
  const loadHistory = async () => {
    try {
      const page = await getJson<{ items: Array<{ purpose: Purpose; granted: boolean; by: string; at: string }> }>(
        '/v1/me/consent/history?limit=20',
        {
          ...noKey,
          signal,
        },
      );
      replace(
        historyBox,
        page.items.length === 0
          ? h('p', { class: 'muted' }, 'No changes yet: every purpose has its default (given).')
          : h(
              'ul',
              { class: 'history', 'aria-label': 'Consent history' },
              page.items.map((c) =>
                h(
                  'li',
                  {},
                  `${new Date(c.at).toLocaleString()} · ${c.purpose} ${c.granted ? 'given' : 'withdrawn'} · by ${c.by === 'person' ? 'you' : 'an import'}`,
                ),
              ),
            ),
      );
    } catch (err) {
      if (!signal.aborted) replace(historyBox, h('p', { class: 'muted' }, (err as Error).message));
    }
  };
  for (const p of PURPOSES) {
    const box = h('input', { id: p === 'segmentation' ? 'consent' : `consent-${p}`, type: 'checkbox' });
    boxes[p] = box;
    box.addEventListener('change', async () => {
      clearError();
      const wanted = box.checked;
      for (const b of Object.values(boxes)) b.disabled = true;
      try {
        const next = await sendJson<Record<Purpose, boolean>>('PUT', '/v1/me/consent', { ...stated, [p]: wanted }, noKey);
        stated = next ?? { ...stated, [p]: wanted };
        await Promise.all([loadBars(), loadHistory()]);
        status.textContent = wanted ? PURPOSE_TEXT[p].given : PURPOSE_TEXT[p].withdrawn;
      } catch (err) {
        showError(err);
      } finally {
        syncBoxes();
      }
    });
  }
  syncBoxes();

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
      replace(
        root,
        h('h1', {}, 'Erased'),
        h('p', { role: 'status' }, 'Your data has been erased: your profile, interests and segment of one are gone.'),
      );
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
      PURPOSES.map((p) => h('div', { class: 'field inline' }, boxes[p], h('label', { for: boxes[p].id }, PURPOSE_TEXT[p].label))),
      h('h3', {}, 'Consent history'),
      historyBox,
      h('div', { class: 'actions' }, eraseButton),
      confirmBox,
    ),
  );
  await Promise.all([loadBars(), loadHistory()]);
};
