/**
 * The few DOM helpers the widget and the console share. Text goes in with
 * textContent only: nothing a user wrote is ever parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(className: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function submitButton(className: string, text: string): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'submit';
  return b;
}

/** A <style> element: each UI carries its own stylesheet, so a host page needs no CSS file of ours. */
export function styleSheet(css: string): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = css;
  return style;
}
