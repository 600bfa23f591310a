/**
 * admin-login.js: signs an admin in to the queue dashboard. The token comes from
 * `#token=` in the page address (never sent to a server as part of a URL) or is
 * pasted into the form; it is POSTed in a header, and the server answers with
 * an HttpOnly cookie scoped to the dashboard.
 */
const form = document.getElementById('login') as HTMLFormElement | null;
const input = document.getElementById('token') as HTMLInputElement | null;
const status = document.getElementById('status');

async function signIn(token: string): Promise<void> {
  if (status) status.textContent = 'Signing in…';
  const res = await fetch('/admin/session', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  if (res.ok) {
    location.replace('/admin/queues');
    return;
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (status) status.textContent = body?.error?.message ?? `Sign-in failed (${res.status})`;
}

form?.addEventListener('submit', (e) => {
  e.preventDefault();
  if (input?.value) void signIn(input.value.trim());
});

const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromFragment) {
  // Out of the address bar and history before anything else happens.
  history.replaceState(null, '', location.pathname);
  void signIn(fromFragment);
}
