/**
 * Follow a thread live from the terminal, and optionally post to it.
 *
 *   npx tsx client/sdk/example.ts http://localhost:3000 korea-summit
 *   npx tsx client/sdk/example.ts http://localhost:3000 korea-summit --token "$TOKEN" --post "Hello @itsonlyrocknroll"
 *   (--seconds N exits after N seconds; otherwise Ctrl-C)
 */
import { parseArgs } from 'node:util';
import { connect, ThreadlineError, type Comment, type ThreadView } from './index.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { token: { type: 'string' }, post: { type: 'string' }, seconds: { type: 'string' } },
});
const [url = 'http://localhost:3000', threadId = 'korea-summit'] = positionals;

const line = (c: Comment) =>
  `${c.createdAt.slice(11, 19)}  ${c.author ? `${c.author.name} (@${c.author.handle}): ${c.body.split('\n')[0]}` : `[${c.status}]`}`;

const client = connect({
  url,
  token: values.token,
  onSession: (user) => console.log(user ? `signed in as @${user.handle}` : 'reading anonymously'),
  onConnectionChange: (up) => console.log(up ? '-- connected' : '-- connection lost, reconnecting'),
});

let view: ThreadView | undefined;
try {
  view = await client.joinThread(threadId, {
    onReset: (comments, why) => {
      console.log(`== ${threadId}: ${comments.length} comments (${why})`);
      for (const c of comments.slice(-5)) console.log(line(c));
    },
    onEvent: (e) => console.log(`[${e.offset}] ${e.type}  ${line(e.comment)}`),
    onPresence: (n) => console.log(`-- ${n} viewing`),
    onTyping: (u) => console.log(`-- ${u.name} is typing…`),
    // Before the first join succeeds the catch below reports the failure instead.
    onError: (err) => {
      if (view) console.log(`-- ${err.code}: ${err.message} (retrying)`);
    },
  });
} catch (err) {
  // An app would show a banner and let the view keep retrying; a script says what went wrong and stops.
  client.close();
  const why = err instanceof ThreadlineError ? `${err.code}: ${err.message}` : String(err);
  console.error(
    err instanceof ThreadlineError && err.code === 'unavailable'
      ? `Could not reach Threadline at ${url} (${why})`
      : `Could not join ${threadId} (${why})`,
  );
  process.exit(1);
}
console.log(`following from offset ${view.at.offset}`);

if (values.post) {
  const comment = await client.post({ threadId, body: values.post });
  console.log(`posted ${comment.id}`);
}
if (values.seconds) {
  setTimeout(
    () => {
      client.close();
      process.exit(0);
    },
    Number(values.seconds) * 1000,
  );
}
