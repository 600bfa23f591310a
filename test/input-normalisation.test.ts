import fc from 'fast-check';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../server/auth/tokens.ts';
import { normalizeBody } from '../server/domain/body.ts';
import { matchingForm, normalizeDisplayName, readDisplayName } from '../server/domain/invisible.ts';
import { comparableText } from '../server/domain/screening.ts';
import { WordlistMatcher } from '../server/moderation/wordlists.ts';
import { connectError, connectSocket, makeUser, request as emit, type ClientSocket, type TestUser } from './support/clients.ts';
import type { TestRedis } from './support/redis.ts';
import { startRedisAndServer, stopServerAndRedis, TEST_SECRET, type TestServer } from './support/server.ts';

/** The ways issue #10 got "scumbag" past the banned list, and look-alike letter forms NFKC folds. */
const HIDDEN_SPELLINGS: [string, string][] = [
  ['a zero-width space', 'scum\u200Bbag'],
  ['a soft hyphen', 'scum\u00ADbag'],
  ['a word joiner', 's\u2060cumbag'],
  ['a zero-width joiner', 'scum\u200Dbag'],
  ['a zero-width non-joiner', 'scu\u200Cmbag'],
  ['a byte-order mark', 'scumb\uFEFFag'],
  ['a variation selector', 'scum\uFE0Fbag'],
  ['a supplementary variation selector', 'scum\u{E0100}bag'],
  ['a tag character', 'scum\u{E0041}bag'],
  ['a Hangul filler', 'scum\u3164bag'],
  ['a combining grapheme joiner', 'scum\u034Fbag'],
  ['a right-to-left mark', 'scum\u200Fbag'],
];
const FOLDED_SPELLINGS: [string, string][] = [
  ['fullwidth letters', 'ｓｃｕｍｂａｇ'],
  ['mathematical monospace letters', '𝚜𝚌𝚞𝚖𝚋𝚊𝚐'],
];

/** Characters nobody sees, from each class the matcher must ignore. */
const INVISIBLES = [
  '\u00AD',
  '\u034F',
  '\u115F',
  '\u180E',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\u2063',
  '\uFEFF',
  '\uFE0E',
  '\uFE0F',
  '\u{E0100}',
  '\u{E01EF}',
  '\u{E0020}',
  '\u{E007F}',
  '\u3164',
  '\uFFA0',
];

const lists = { banned: ['scumbag'], suspect: ['moron'], suspectAction: 'hold', builtinProfanity: 'off' } as const;

describe('matchingForm and the word-list matcher', () => {
  const matcher = new WordlistMatcher({ ...lists, banned: [...lists.banned], suspect: [...lists.suspect] });

  it.each([...HIDDEN_SPELLINGS, ...FOLDED_SPELLINGS])('find the banned term spelled with %s', (_label, spelling) => {
    expect(matcher.match(`You absolute ${spelling}!`), `banned match for ${JSON.stringify(spelling)}`).toEqual({
      list: 'banned',
      term: 'scumbag',
    });
  });

  it('find a suspect term with hidden characters too (it is held, not published)', () => {
    expect(matcher.match('what a mo\u200Bron')).toEqual({ list: 'suspect', term: 'moron' });
  });

  it('find a term with any invisible characters inserted anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 7 }), fc.constantFrom(...INVISIBLES)), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('', 'You ', 'what a ', '>> '),
        (insertions, prefix) => {
          const letters = [...'scumbag'];
          for (const [at, ch] of insertions) letters.splice(Math.min(at, letters.length), 0, ch);
          const text = prefix + letters.join('');
          return matcher.match(text)?.term === 'scumbag';
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leave visible NFKC text as it was, and leave nothing hidden in any text (properties)', () => {
    const hidden = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const form = matchingForm(s);
        if (hidden.test(form)) return false;
        if (matchingForm(form) !== form) return false;
        return hidden.test(s) || s !== s.normalize('NFKC') || form === s;
      }),
      { numRuns: 500 },
    );
    expect(matchingForm('plain words, 42 of them')).toBe('plain words, 42 of them');
  });

  it('do not match innocent text or an emoji family', () => {
    expect(matcher.match('a family day 👨‍👩‍👧 in the scum of the bag')).toBeNull();
  });
});

describe('comparableText (screening fingerprints)', () => {
  it('ignores hidden characters, including the Hangul fillers that are letters (Lo)', () => {
    const plain = comparableText('Cheap watches at my shop');
    for (const ch of INVISIBLES) {
      expect(comparableText(`Cheap${ch} watches at my${ch}shop`), `with U+${ch.codePointAt(0)!.toString(16).toUpperCase()}`).toBe(plain);
    }
  });
});

describe('stored bodies keep what readers wrote', () => {
  const EMOJI = ['👨‍👩‍👧', '🏳️‍🌈', '👩🏽‍💻', '❤️', '🧑‍🤝‍🧑', '#️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'];

  it('keeps emoji ZWJ, variation-selector and tag sequences byte for byte (property)', () => {
    const word = fc.constantFrom('family', 'day', 'at', 'the', 'beach', 'Grüße', 'می‌خواهم', 'क्‍ष');
    fc.assert(
      fc.property(fc.array(fc.oneof(word, fc.constantFrom(...EMOJI)), { minLength: 1, maxLength: 20 }), (parts) => {
        const text = parts.join(' ');
        return normalizeBody(text) === text.normalize('NFC');
      }),
    );
  });
});

describe('normalizeDisplayName', () => {
  it.each([
    ['Jo\u200Bhn Smith', 'John Smith'],
    ['John Smith\u2060', 'John Smith'],
    ['\u202EhtimS nhoJ', 'htimS nhoJ'],
    ['John\u00A0\u3000 Smith', 'John Smith'],
    ['𝐀𝐝𝐦𝐢𝐧', 'Admin'],
    ['Ｍｏｄｅｒａｔｏｒ', 'Moderator'],
    ['Zoë 👩🏽‍💻 🏳️‍🌈', 'Zoë 👩🏽‍💻 🏳️‍🌈'],
    ['Zo\u200Dë\uFE0F', 'Zoë'],
    ['\u200B\u200D\uFEFF', ''],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeDisplayName(raw)).toBe(expected);
  });

  it.each([
    ['Alice Smith', false],
    ['Alice\u200B Smith', true],
    ['\u202EAlice Smith\u202C', true],
    ['Alice\u0000 Smith', true],
    ['Alice\tSmith', false],
    ['Alice  Smith ', false],
    ['Ａｌｉｃｅ Smith', false],
    ['Zoë 👩🏽‍💻 🏳️‍🌈', false],
  ])('readDisplayName(%j) says hidden characters were taken out: %s', (raw, hidden) => {
    expect(readDisplayName(raw).hidden).toBe(hidden);
  });

  it('keeps at most 64 code points when NFKC lengthens a name', () => {
    expect([...normalizeDisplayName('\uFDFA'.repeat(8))].length).toBeLessThanOrEqual(64);
  });
});

let redis: TestRedis;
let server: TestServer;
let admin: TestUser;
const sockets: ClientSocket[] = [];
const auth = (u: TestUser) => ({ Authorization: `Bearer ${u.token}` });

beforeAll(async () => {
  ({ redis, server } = await startRedisAndServer({ REDIS_PREFIX: 'in:' }));
  admin = await makeUser({ role: 'admin' });
  await request(server.url).put('/api/moderation/wordlists').set(auth(admin)).send(lists).expect(200);
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(() => stopServerAndRedis(server, redis));

describe('banned terms with hidden characters or look-alike letters', () => {
  it.each([...HIDDEN_SPELLINGS, ...FOLDED_SPELLINGS])('refuse a REST post spelled with %s and store nothing', async (_label, spelling) => {
    const u = await makeUser();
    const threadId = `in-rest-${spelling.codePointAt(4)!.toString(16)}-${spelling.length}`;
    const res = await request(server.url)
      .post(`/api/threads/${threadId}/comments`)
      .set(auth(u))
      .send({ body: `You absolute ${spelling}` });
    expect(res.status, `status for ${JSON.stringify(spelling)}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_payload', details: { reason: { list: 'banned', term: 'scumbag' } } });
    expect((await request(server.url).get(`/api/threads/${threadId}`)).body.thread.offset, 'nothing was written').toBe(0);
  });

  it.each(HIDDEN_SPELLINGS.slice(0, 4))('refuse a socket post, and an edit, spelled with %s', async (_label, spelling) => {
    const u = await makeUser();
    const s = await connectSocket(server.url, u.token);
    sockets.push(s);
    const refused = await emit(s, 'comment:post', {
      threadId: 'in-socket',
      body: `You ${spelling}`,
      clientId: `in-${crypto.randomUUID()}`,
    });
    expect(refused, `ack for ${JSON.stringify(spelling)}`).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload', details: { reason: { term: 'scumbag' } } },
    });
    const posted = await emit(s, 'comment:post', { threadId: 'in-socket', body: 'a fair point', clientId: `in-${crypto.randomUUID()}` });
    if (!posted.ok) throw new Error(`post failed: ${posted.error.message}`);
    const edit = await emit(s, 'comment:edit', { commentId: posted.comment.id, body: `a fair point, ${spelling}` });
    expect(edit, 'the edit is refused too').toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });

  it('hold a suspect term with a zero-width space', async () => {
    const res = await request(server.url)
      .post('/api/threads/in-suspect/comments')
      .set(auth(await makeUser()))
      .send({ body: 'what a mor\u200Bon' })
      .expect(201);
    expect(res.body.comment.status).toBe('pending');
  });

  it('store an emoji ZWJ sequence and other joiners intact, and read them back unchanged', async () => {
    const body = 'Family day 👨‍👩‍👧 at the beach 🏳️‍🌈 — می‌خواهم';
    const u = await makeUser();
    const posted = await request(server.url).post('/api/threads/in-emoji/comments').set(auth(u)).send({ body }).expect(201);
    expect(posted.body.comment).toMatchObject({ status: 'visible', body });
    const page = await request(server.url).get('/api/threads/in-emoji/comments').expect(200);
    expect(page.body.comments.map((c: { body: string }) => c.body)).toEqual([body]);
  });
});

describe('display names from the token', () => {
  const signIn = (u: TestUser) =>
    request(server.url)
      .post('/api/threads/in-names/comments')
      .set(auth(u))
      .send({ body: `hello from ${u.handle}` });

  it('are stored without hidden characters; a plain duplicate or a look-alike in letter forms is a shared name, told apart by the handle', async () => {
    const real = await makeUser({ handle: 'john_smith', name: 'John Smith' });
    const namesake = await makeUser({ handle: 'j_smith_2', name: 'John Smith' });
    const bold = await makeUser({ handle: 'j_smith_3', name: '𝐉𝐨𝐡𝐧 Smith' });
    const hiddenOnly = await makeUser({ handle: 'j_smith_4', name: 'Zed\u2060 Quill\u200B' });
    const authors = [];
    for (const u of [real, namesake, bold, hiddenOnly]) authors.push((await signIn(u).expect(201)).body.comment.author);
    expect(authors, 'names compare equal; handles differ').toEqual([
      { id: real.id, handle: 'john_smith', name: 'John Smith' },
      { id: namesake.id, handle: 'j_smith_2', name: 'John Smith' },
      { id: bold.id, handle: 'j_smith_3', name: 'John Smith' },
      { id: hiddenOnly.id, handle: 'j_smith_4', name: 'Zed Quill' },
    ]);
    expect(await redis.client.hget(`in:{u}:user:${hiddenOnly.id}`, 'name'), 'the stored user record').toBe('Zed Quill');
  });

  it('drop bidi controls, so a name cannot display in another order than it reads', async () => {
    const u = await makeUser({ name: '\u200FAdmin\u061C \u202Eroticlos' });
    expect((await signIn(u).expect(201)).body.comment.author.name).toBe('Admin roticlos');
  });

  it('leave handles ASCII: a handle with an invisible character or fullwidth letters refuses the token', async () => {
    for (const handle of ['john\u200Bsmith', 'ｊｏｈｎ_smith', 'john\uFE0F']) {
      const token = await signToken(TEST_SECRET, { sub: `in-h-${handle.length}`, handle, name: 'John', role: 'commenter' });
      const res = await request(server.url).get('/api/threads/in-names').set('Authorization', `Bearer ${token}`);
      expect(res.status, `handle ${JSON.stringify(handle)}`).toBe(401);
      expect(res.body.error.message).toMatch(/handle/);
    }
  });

  it('refuse a token whose name has no visible character with unauthenticated, saying why', async () => {
    const token = await signToken(TEST_SECRET, {
      sub: 'in-invisible',
      handle: 'in_invisible',
      name: '\u200B\u2060\u200D',
      role: 'commenter',
    });
    const res = await request(server.url).get('/api/threads/in-names').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthenticated' });
    expect(res.body.error.message).toMatch(/name: has no visible characters/);
  });
});

/** Issue #10: "a name that differs from another user's only by such characters is refused". */
describe('a display name that differs from another user’s only by invisible characters', () => {
  const VARIANTS: [string, string][] = [
    ['a zero-width space', 'Alice\u200B Smith'],
    ['a zero-width joiner', 'Ali\u200Dce Smith'],
    ['a soft hyphen', 'Al\u00ADice Smith'],
    ['a right-to-left mark', 'Alice Smith\u200F'],
    ['a bidi override', '\u202EAlice Smith\u202C'],
    ['a zero-width space, in other letter case', 'alice\u200B SMITH'],
  ];
  const thread = (id: string) => `/api/threads/in-lookalike-${id}`;
  const get = (u: TestUser, id = 'x') => request(server.url).get(thread(id)).set(auth(u));
  let holder: TestUser;

  beforeAll(async () => {
    holder = await makeUser({ id: 'in-alice-a', handle: 'alice_a', name: 'Alice Smith' });
    await get(holder).expect(200);
  });

  it.each(VARIANTS)('is refused over REST with conflict, spelled with %s, and nothing is stored', async (_label, name) => {
    const b = await makeUser({ name });
    const res = await get(b);
    expect(res.status, `status for ${JSON.stringify(name)}: ${JSON.stringify(res.body)}`).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message, 'the message says why').toMatch(/display name differs from another user.s only by invisible characters/);
    expect(await redis.client.exists(`in:{u}:user:${b.id}`), 'no user record for the refused sign-in').toBe(0);
  });

  it.each(VARIANTS)('fails the socket handshake with connect_error data.code conflict, spelled with %s', async (_label, name) => {
    const b = await makeUser({ name });
    const err = await connectError(server.url, { token: b.token });
    expect(err.data, `connect_error for ${JSON.stringify(name)}`).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/invisible characters/),
    });
  });

  it('accepts another user who sends the same name plainly (two readers called Alice Smith), but not a look-alike from them', async () => {
    const b = await makeUser({ id: 'in-alice-b', handle: 'alice_b', name: 'Alice Smith' });
    await get(b).expect(200);
    const plainCase = await makeUser({ name: 'ALICE SMITH' });
    await get(plainCase).expect(200);
    const bHidden = await makeUser({ id: 'in-alice-b', handle: 'alice_b', name: 'Alice\u200B Smith' });
    expect((await get(bHidden)).status, 'B holds the name too, but it also differs from A’s only by a hidden character').toBe(409);
    expect(await redis.client.hget('in:{u}:user:in-alice-b', 'name')).toBe('Alice Smith');
  });

  it('accepts the holder of the name signing in with an invisible character in it (it is their own name)', async () => {
    const own = await makeUser({ id: 'in-bob', handle: 'bob_stone', name: 'Bob Stone' });
    await get(own).expect(200);
    const ownHidden = await makeUser({ id: 'in-bob', handle: 'bob_stone', name: 'Bob\u200B Stone\u200F' });
    const res = await get(ownHidden);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = await connectSocket(server.url, ownHidden.token);
    sockets.push(s);
    expect(s.connected).toBe(true);
  });

  it('frees the old name when its holder renames: a look-alike of it is then accepted', async () => {
    const carol = await makeUser({ id: 'in-carol', handle: 'carol_j', name: 'Carol Jones' });
    await get(carol).expect(200);
    const lookalike = await makeUser({ id: 'in-carol-2', handle: 'carol_j2', name: 'Carol\u200B Jones' });
    expect((await get(lookalike)).status, 'refused while Carol holds the name').toBe(409);
    const renamed = await makeUser({ id: 'in-carol', handle: 'carol_j', name: 'Carol Jones-Miller' });
    await get(renamed).expect(200);
    const res = await get(lookalike);
    expect(res.status, `accepted once the name is free: ${JSON.stringify(res.body)}`).toBe(200);
    expect(await redis.client.hget('in:{u}:user:in-carol-2', 'name')).toBe('Carol Jones');
  });

  it('frees the name when the holder is erased (releaseName, the hook account erasure calls)', async () => {
    const dora = await makeUser({ id: 'in-dora', handle: 'dora_k', name: 'Dora Kent' });
    await get(dora).expect(200);
    const lookalike = await makeUser({ id: 'in-dora-2', handle: 'dora_k2', name: 'Dora\u00AD Kent' });
    expect((await get(lookalike)).status, 'refused while Dora holds the name').toBe(409);
    await server.app.deps.store.users.releaseName('in-dora');
    expect((await get(lookalike)).status, 'accepted after the release').toBe(200);
  });

  it('does not count emoji joiners as hidden: two readers named with the same emoji sequence are both accepted', async () => {
    expect(readDisplayName('Zoë 👩🏽‍💻')).toEqual({ name: 'Zoë 👩🏽‍💻', hidden: false });
    expect(readDisplayName('Zo\u200Bë')).toEqual({ name: 'Zoë', hidden: true });
    await get(await makeUser({ name: 'Zoë 👩🏽‍💻' })).expect(200);
    await get(await makeUser({ name: 'Zoë 👩🏽‍💻' })).expect(200);
  });
});
