// The quality picker: "Auto" plus one entry per level; shows which level Auto is actually playing.
import { byId } from './dom.js';
import { bestFirst, levelLabels } from './levels.js';

const AUTO = -1;

export class QualityMenu {
  /** @type {HTMLElement} */ #root;
  /** @type {HTMLButtonElement} */ #button;
  /** @type {HTMLElement} */ #label;
  /** @type {HTMLElement} */ #menu;
  /** @type {(index: number) => void} */ #onChoose;
  /** @type {string[]} */ #labels = [];
  #chosen = AUTO;
  #playing = AUTO;

  /**
   * @param {{ root: HTMLElement, button: HTMLButtonElement, label: HTMLElement, menu: HTMLElement,
   *           onChoose: (index: number) => void }} opts
   */
  constructor(opts) {
    this.#root = opts.root;
    this.#button = opts.button;
    this.#label = opts.label;
    this.#menu = opts.menu;
    this.#onChoose = opts.onChoose;
    this.#button.addEventListener('click', () => this.#toggle(this.#menu.hidden));
    this.#menu.addEventListener('click', (event) => {
      const item = /** @type {HTMLElement} */ (event.target).closest('[data-index]');
      if (item instanceof HTMLElement) this.#choose(Number(item.dataset.index));
    });
    this.#menu.addEventListener('keydown', (event) => this.#onKey(event));
    document.addEventListener('click', (event) => {
      if (!this.#root.contains(/** @type {Node} */ (event.target))) this.#toggle(false);
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.#menu.hidden) {
        this.#toggle(false);
        this.#button.focus();
      }
    });
  }

  /** @param {Array<{ width?: number, height?: number, bitrate?: number }>} levels */
  setLevels(levels) {
    this.#labels = levelLabels(levels);
    this.#chosen = AUTO;
    this.#playing = AUTO;
    this.#menu.replaceChildren(
      this.#item(AUTO, 'Auto'),
      ...bestFirst(levels).map((index) => this.#item(index, this.#labels[index] ?? '')),
    );
    this.#root.hidden = levels.length < 2;
    this.#render();
  }

  /** @param {number} index  the level now playing */
  setPlaying(index) {
    this.#playing = index;
    this.#render();
  }

  /** Label of the level now playing, or '' before the first one. */
  get playingLabel() {
    return this.#labels[this.#playing] ?? '';
  }

  get mode() {
    return this.#chosen === AUTO ? 'auto' : 'manual';
  }

  /** @param {number} index @param {string} text */
  #item(index, text) {
    const li = document.createElement('li');
    li.setAttribute('role', 'none');
    const button = document.createElement('button');
    button.type = 'button';
    button.setAttribute('role', 'menuitemradio');
    button.dataset.index = String(index);
    button.textContent = text;
    li.append(button);
    return li;
  }

  /** @param {number} index */
  #choose(index) {
    this.#chosen = index;
    this.#toggle(false);
    this.#button.focus();
    this.#onChoose(index);
    this.#render();
  }

  /** @param {boolean} open */
  #toggle(open) {
    this.#menu.hidden = !open;
    this.#button.setAttribute('aria-expanded', String(open));
    if (open) this.#menu.querySelector('[aria-checked="true"]')?.focus();
  }

  /** @param {KeyboardEvent} event */
  #onKey(event) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...this.#menu.querySelectorAll('[role="menuitemradio"]')];
    const at = items.indexOf(/** @type {Element} */ (document.activeElement));
    const next = items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
    if (next instanceof HTMLElement) next.focus();
  }

  #render() {
    const auto = this.playingLabel ? `Auto (${this.playingLabel})` : 'Auto';
    this.#label.textContent = this.#chosen === AUTO ? auto : (this.#labels[this.#chosen] ?? '');
    for (const button of this.#menu.querySelectorAll('[role="menuitemradio"]')) {
      const index = Number(/** @type {HTMLElement} */ (button).dataset.index);
      button.setAttribute('aria-checked', String(index === this.#chosen));
      if (index === AUTO) button.textContent = auto;
    }
  }
}

/** The quality picker of a player page (#quality, #quality-button, #quality-label, #quality-menu). @param {(index: number) => void} onChoose */
export function pageQualityMenu(onChoose) {
  return new QualityMenu({
    root: byId('quality'),
    button: /** @type {HTMLButtonElement} */ (byId('quality-button')),
    label: byId('quality-label'),
    menu: byId('quality-menu'),
    onChoose,
  });
}
