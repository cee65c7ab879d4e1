/**
 * The attribute controls, generated from the attribute schema (src/core/attributes.ts) in the
 * page config: one labelled control per attribute, grouped as groups.ts says. Every change sets
 * or removes the attribute on the live element (removing restores the default and, for sizes,
 * bitrates and fps, lets the mode decide again).
 */
import type { AttributeSpec } from '../../../core/attributes.js';
import type { ModePreset } from '../../../core/modes.js';
import { ATTRIBUTE_GROUPS, CHOICE_LABELS, HINTS } from './groups.js';
import { modeValue } from './mode-defaults.js';

/** One generated control: `sync` re-reads the element (after a context method changed it). */
interface Control {
  sync(): void;
}

/** What every control needs: the element, the mode presets, and what to do after a change. */
interface Env {
  element: HTMLElement;
  presets: Record<string, ModePreset>;
  /** Re-reads every control (one change can move others: `mode` moves the sizes), then tells the page. */
  changed(): void;
}

/** Builds every control into `root`; `changed` runs after each attribute change. */
export function buildControls(
  root: HTMLElement,
  schema: Record<string, AttributeSpec>,
  presets: Record<string, ModePreset>,
  element: HTMLElement,
  changed: () => void,
): { sync(): void } {
  const controls: Control[] = [];
  const sync = () => controls.forEach((c) => c.sync());
  const env: Env = {
    element,
    presets,
    changed() {
      sync();
      changed();
    },
  };
  const placed = new Set(ATTRIBUTE_GROUPS.flatMap((g) => g.properties));
  const unplaced = Object.keys(schema).filter((p) => !placed.has(p));
  ATTRIBUTE_GROUPS.forEach((group, i) => {
    const properties = [...group.properties, ...(i === 0 ? unplaced : [])].filter((p) => p in schema);
    const details = document.createElement('details');
    details.open = true;
    const summary = document.createElement('summary');
    summary.textContent = group.title;
    details.append(summary);
    for (const property of properties) {
      const field = buildField(property, schema[property]!, env);
      details.append(field.row);
      controls.push(field);
    }
    root.append(details);
  });
  return { sync };
}

/** The element's current value of a property (the element defines one per schema row). */
function read(element: HTMLElement, property: string): unknown {
  return (element as unknown as Record<string, unknown>)[property];
}

function buildField(property: string, spec: AttributeSpec, env: Env): Control & { row: HTMLElement } {
  const { element } = env;
  const name = spec.attribute;
  const id = `attr-${name}`;
  const row = document.createElement('div');
  row.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = name;
  label.title = `${property} · since ${spec.since}${spec.deprecated ? ` · deprecated: use ${spec.deprecated}` : ''}`;
  if (spec.deprecated) label.classList.add('deprecated');
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.className = 'reset';
  reset.textContent = '↺';
  reset.setAttribute('aria-label', `reset ${name} to its default`);
  reset.title = 'remove the attribute (default)';

  /** Sets the attribute (`null` removes it), then lets the page catch up. */
  const set = (value: string | null) => {
    if (value === null) element.removeAttribute(name);
    else element.setAttribute(name, value);
    env.changed();
  };
  reset.addEventListener('click', () => set(null));
  // Unset sizes, bitrates and fps show what the mode gives them (spec §2), not the schema default.
  const value = () => (element.hasAttribute(name) ? read(element, property) : (modeValue(property, element, env.presets) ?? read(element, property)));
  const fromMode = () => !element.hasAttribute(name) && modeValue(property, element, env.presets) !== undefined;
  const input = editorFor(property, spec, id, set, value, fromMode);
  const control = {
    row,
    sync() {
      input.sync();
      reset.hidden = !element.hasAttribute(name) || name === 'url';
    },
  };
  row.append(label, input.node, reset);
  const hint = spec.deprecated ? `deprecated: use ${spec.deprecated}` : (HINTS[property] ?? ('unit' in spec && spec.unit ? spec.unit : ''));
  if (hint) {
    const note = document.createElement('div');
    note.className = 'hint';
    note.id = `${id}-hint`;
    note.textContent = hint;
    input.focusable.setAttribute('aria-describedby', note.id);
    row.append(note);
  }
  control.sync();
  return control;
}

interface Editor {
  node: HTMLElement;
  /** The element that takes the label (for ARIA). */
  focusable: HTMLElement;
  sync(): void;
}

/** The input for one row, by its kind. */
function editorFor(property: string, spec: AttributeSpec, id: string, set: (value: string | null) => void, value: () => unknown, fromMode: () => boolean): Editor {
  switch (spec.kind) {
    case 'boolean': {
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', id });
      // Absent means the default; "false" is how markup turns a default-true attribute off.
      box.addEventListener('change', () => set(box.checked === spec.default ? null : box.checked ? '' : 'false'));
      return { node: box, focusable: box, sync: () => void (box.checked = Boolean(value())) };
    }
    case 'enum':
    case 'number-choice': {
      const select = Object.assign(document.createElement('select'), { id });
      const labels = CHOICE_LABELS[property] ?? {};
      for (const v of spec.values) {
        const text = labels[v as number] !== undefined ? `${v} · ${labels[v as number]}` : String(v);
        select.append(new Option(text, String(v)));
      }
      select.addEventListener('change', () => set(select.value === String(spec.default) ? null : select.value));
      return { node: select, focusable: select, sync: () => void (select.value = String(value())) };
    }
    case 'number':
      return spec.max - spec.min <= 30 ? rangeEditor(spec, id, set, value, fromMode) : numberEditor(spec, id, set, value, fromMode);
    case 'string': {
      const text = Object.assign(document.createElement('input'), { type: 'text', id, spellcheck: false });
      text.placeholder = property === 'gateway' ? '/tunnel' : property === 'waitingImageHash' ? 'md5 hex' : '';
      text.addEventListener('change', () => set(text.value.trim() === '' ? null : text.value.trim()));
      return { node: text, focusable: text, sync: () => void (text.value = String(value() ?? '')) };
    }
    case 'pip-mode': {
      const box = document.createElement('div');
      box.className = 'pip';
      box.id = id;
      box.setAttribute('role', 'group');
      const boxes = (['push', 'pop'] as const).map((mode) => {
        const input = Object.assign(document.createElement('input'), { type: 'checkbox', id: `${id}-${mode}` });
        const label = document.createElement('label');
        label.append(input, ` ${mode}`);
        box.append(label);
        return input;
      });
      const apply = () => {
        const modes = (['push', 'pop'] as const).filter((_, i) => boxes[i]!.checked);
        set(modes.length === 0 ? null : modes.length === 1 ? modes[0]! : JSON.stringify(modes));
      };
      boxes.forEach((b) => b.addEventListener('change', apply));
      return {
        node: box,
        focusable: boxes[0]!,
        sync: () => {
          const now = (value() as readonly string[] | undefined) ?? [];
          boxes[0]!.checked = now.includes('push');
          boxes[1]!.checked = now.includes('pop');
        },
      };
    }
  }
}

type NumberRow = Extract<AttributeSpec, { kind: 'number' }>;

/** A slider with its value shown; for small ranges (beauty 0–9, effects 0–1, fps 1–30). */
function rangeEditor(spec: NumberRow, id: string, set: (value: string | null) => void, value: () => unknown, fromMode: () => boolean): Editor {
  const wrap = document.createElement('div');
  wrap.className = 'range';
  const range = Object.assign(document.createElement('input'), { type: 'range', id, min: String(spec.min), max: String(spec.max) });
  range.step = spec.max - spec.min <= 1 ? '0.05' : '1';
  const out = document.createElement('output');
  out.htmlFor.add(id);
  range.addEventListener('input', () => void (out.textContent = range.value));
  range.addEventListener('change', () => set(range.value));
  wrap.append(range, out);
  return {
    node: wrap,
    focusable: range,
    sync: () => {
      range.value = String(value());
      out.textContent = fromMode() ? `${range.value} · mode` : range.value;
    },
  };
}

/** A number box; empty removes the attribute (for sizes and bitrates: the mode's value shows greyed). */
function numberEditor(spec: NumberRow, id: string, set: (value: string | null) => void, value: () => unknown, fromMode: () => boolean): Editor {
  const box = Object.assign(document.createElement('input'), { type: 'number', id, min: String(spec.min), max: String(spec.max), step: spec.integer ? '1' : 'any' });
  box.addEventListener('change', () => set(box.value.trim() === '' ? null : box.value));
  return {
    node: box,
    focusable: box,
    sync: () => {
      const mode = fromMode();
      box.value = mode ? '' : String(value());
      box.placeholder = mode ? `${value()} (mode)` : '';
    },
  };
}
