/** The widget's stylesheet (class names are what host pages and tests select on). */
export const STYLE = `
.tl { font: 15px/1.45 system-ui, sans-serif; max-width: 44rem; color: #222 }
.tl-head { display: flex; justify-content: space-between; color: #666; font-size: 13px; margin-bottom: .5rem }
.tl-list { list-style: none; margin: 0; padding: 0 }
.tl-comment { border-top: 1px solid #eee; padding: .6rem 0 }
.tl-reply { margin-left: 1.5rem }
.tl-author { font-weight: 600 } .tl-time { color: #888; font-size: 12px; margin-left: .5rem }
/* Room for the longest relative text, so refreshing it never moves what follows. */
time.tl-time { display: inline-block; min-width: 7.5em; font-variant-numeric: tabular-nums }
.tl-body { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .2rem }
.tl-tombstone { color: #888; font-style: italic } .tl-pending { opacity: .6 } .tl-badge { font-size: 11px; background: #fff3c4; border-radius: 3px; padding: 0 .3rem; margin-left: .4rem }
.tl-featured .tl-badge-featured { background: #dff3e4; font-weight: 600 }
.tl-linked { outline: 2px solid #1a5fb4; outline-offset: 2px }
.tl-form textarea { width: 100%; min-height: 4rem; box-sizing: border-box; font: inherit }
.tl-error { color: #b00020; font-size: 13px; min-height: 1.2em }
.tl-typing { color: #888; font-size: 12px; min-height: 1.2em }
.tl-status { color: #666; font-size: 13px }
.tl-mention { color: #0b57d0; font-weight: 500 }
.tl-link { color: #0b57d0; overflow-wrap: anywhere }
.tl-actions { margin-top: .2rem; font-size: 12px }
.tl-actions button { background: none; border: 0; padding: 0; margin-right: .8rem; color: #555; cursor: pointer; font: inherit }
.tl-actions button:hover { text-decoration: underline }
.tl-actions select { font: inherit; margin-right: .4rem }
.tl-replying { font-size: 13px; color: #555; min-height: 1.2em }
.tl-replying button { background: none; border: 0; color: #b00020; cursor: pointer; font: inherit }
.tl-suggest { list-style: none; margin: .2rem 0; padding: 0; border: 1px solid #ddd; border-radius: 4px; max-width: 20rem }
.tl-suggest button { display: block; width: 100%; text-align: left; background: none; border: 0; padding: .25rem .5rem; cursor: pointer; font: inherit }
.tl-suggest button:hover { background: #f2f5fb } .tl-suggest .tl-handle { color: #666; margin-left: .4rem }
.tl-editor textarea { width: 100%; min-height: 3.5rem; box-sizing: border-box; font: inherit }
.tl-editor button { font: inherit; font-size: 12px; margin-right: .4rem }
.tl-signin { background: #222; color: #fff; border: 0; border-radius: 4px; padding: .5rem 1rem; margin: .5rem 0; min-height: 44px; cursor: pointer; font: inherit }
.tl-older { background: none; border: 1px solid #ddd; border-radius: 4px; padding: .2rem .6rem; margin: .3rem 0; cursor: pointer; font: inherit; color: #333 }
.tl-bell { background: none; border: 0; padding: 0; color: #555; cursor: pointer; font: inherit }
.tl-bell-count { background: #b00020; color: #fff; border-radius: 8px; padding: 0 .35rem; margin-left: .25rem; font-size: 11px }
.tl-inbox { list-style: none; margin: 0 0 .6rem; padding: .4rem .6rem; border: 1px solid #ddd; border-radius: 4px; font-size: 13px }
.tl-inbox li { padding: .25rem 0 } .tl-inbox .tl-unread { font-weight: 600 }
/* Conversation in place and live state (heading, sort, connection, new-comments bar, reply composer). */
.tl-title { font-size: 1.15rem; margin: 0 0 .4rem }
.tl-head { flex-wrap: wrap; gap: .3rem .8rem; align-items: center }
.tl-connection::before { content: '●'; margin-right: .25rem; color: #888 }
.tl-connection[data-state=live]::before { color: #1e8e3e } .tl-connection[data-state=offline] { color: #b00020 }
.tl-sort { font: inherit }
.tl-new-bar { position: sticky; top: 0; z-index: 1; display: block; width: 100%; min-height: 44px; margin: .3rem 0; border: 0; border-radius: 4px; background: #0b57d0; color: #fff; cursor: pointer; font: inherit; font-weight: 600 }
.tl-new-bar[hidden] { display: none }
.tl-reply-form { margin: .4rem 0 0 1.5rem }
.tl-reply-form textarea { width: 100%; min-height: 3.5rem; box-sizing: border-box; font: inherit }
.tl-reply-form button { font: inherit; font-size: 13px; margin-right: .4rem }
`;
