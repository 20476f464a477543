import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { topicDisplayName, topicId, topicIdForKey, topicKey } from './topic-key.js';

describe('topicKey', () => {
  it('folds case, trims and collapses inner whitespace', () => {
    expect(topicKey('  Trail   Running ')).toBe('trail running');
    expect(topicKey('trail\trunning\n')).toBe('trail running');
    expect(topicKey('TRAIL RUNNING')).toBe(topicKey('trail running'));
  });

  it('applies NFKC so compatibility forms and composed accents meet', () => {
    expect(topicKey('Ｔｒａｉｌ　Ｒｕｎｎｉｎｇ')).toBe('trail running'); // full-width letters and ideographic space
    expect(topicKey('Cafe\u0301')).toBe(topicKey('Café'));
    expect(topicKey('ﬁtness')).toBe('fitness');
  });

  it('case-folds beyond ASCII', () => {
    expect(topicKey('Straße')).toBe(topicKey('STRASSE'));
    expect(topicKey('ΣΟΦΊΑ')).toBe(topicKey('σοφία'));
    // capital sharp s: upper-then-lower alone left 'GROẞ' as 'groß' while 'Groß' became 'gross'
    expect(topicKey('GROẞ')).toBe(topicKey('Groß'));
    expect(topicKey('GROẞ')).toBe('gross');
  });

  it('drops characters that render as nothing', () => {
    expect(topicKey('Trail\u200bRunning')).toBe('trailrunning');
    expect(topicKey('Trail\u00ad Running')).toBe('trail running');
    expect(topicKey('\u2764\ufe0f')).toBe(topicKey('\u2764'));
    expect(topicKey('\u200b\u200d')).toBe('');
    expect(topicDisplayName('Trail\u200b Running')).toBe('Trail Running');
  });

  it('keeps different names apart', () => {
    expect(topicKey('trail running')).not.toBe(topicKey('trailrunning'));
  });
});

describe('topicId', () => {
  it('is t_ + the first 16 hex of sha256(key)', () => {
    const expected = 't_' + createHash('sha256').update('trail running').digest('hex').slice(0, 16);
    expect(topicIdForKey('trail running')).toBe(expected);
    expect(topicId('  Trail Running')).toBe(expected);
    expect(topicId('Yoga')).toMatch(/^t_[0-9a-f]{16}$/);
    expect(topicId('Yoga')).not.toBe(expected);
  });
});

describe('topicDisplayName', () => {
  it('keeps the spelling but tidies whitespace', () => {
    expect(topicDisplayName('  Trail   Running ')).toBe('Trail Running');
  });
});

describe('topicKey on plain ASCII', () => {
  it('gives what the full normalization gives', () => {
    const full = (s: string) =>
      s.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
    let ascii = '';
    for (let c = 0x20; c <= 0x7e; c++) ascii += String.fromCharCode(c);
    for (const s of [ascii, '  Trail\tRunning \n', 'ABC xyz 123 !?', '\r\n', '']) expect(topicKey(s)).toBe(full(s));
  });
});
