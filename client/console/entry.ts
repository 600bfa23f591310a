/**
 * moderate.js: mounts the moderation console into #console. The token comes
 * from `#token=` in the page address (it never reaches a server log).
 */
import { mountConsole } from './console.ts';

const root = document.getElementById('console');
const token = new URLSearchParams(location.hash.slice(1)).get('token');
if (root && token) mountConsole(root, { url: location.origin, token });
else if (root) root.textContent = 'Open this page as /moderate#token=<a moderator or admin token>.';
