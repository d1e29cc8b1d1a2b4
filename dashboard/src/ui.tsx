import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useCallback, useEffect, useId, useState } from 'react';
import type { Outcome, Trouble } from './api';

/** Loads on mount and whenever `key` changes; `reload` asks again (after an action, or on "Try again"). */
export function useLoad<T>(load: () => Promise<Outcome<T>>, key: string) {
  const [state, setState] = useState<{ data?: T; trouble?: Trouble; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then((outcome) => {
      if (!live) return;
      setState(outcome.ok ? { data: outcome.data, loading: false } : { trouble: outcome.trouble, loading: false });
    });
    return () => {
      live = false;
    };
    // `load` is a new function on every render; `key` says when what it loads changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

export interface ActionState {
  busy: boolean;
  trouble?: Trouble | undefined;
  message?: string | undefined;
}

/** Runs one change against the API and keeps its answer, good or bad, to show beside the form. */
export function useAction() {
  const [state, setState] = useState<ActionState>({ busy: false });
  const run = useCallback(async <T,>(call: () => Promise<Outcome<T>>, success: (data: T) => string): Promise<T | undefined> => {
    setState({ busy: true });
    const outcome = await call();
    if (outcome.ok) {
      setState({ busy: false, message: success(outcome.data) });
      return outcome.data;
    }
    setState({ busy: false, trouble: outcome.trouble });
    return undefined;
  }, []);
  const clear = useCallback(() => setState({ busy: false }), []);
  /** Shows what a closed form did: its own notice went with it. */
  const say = useCallback((message: string) => setState({ busy: false, message }), []);
  return { ...state, run, clear, say };
}

/** The API's answer to the last action: its detail on failure (an alert), or what was done. */
export function Notice({ state }: { state: ActionState }) {
  if (state.trouble) return <TroubleMessage trouble={state.trouble} />;
  if (state.message) return <p className="notice ok" role="status">{state.message}</p>;
  return null;
}

function wayOn(trouble: Trouble): string | undefined {
  if (trouble.status === 403) return 'This account may do less than it did: sign out and in again, or ask another admin.';
  if (trouble.status === 409) return 'Reload to see the current state, then decide again.';
  if (trouble.status === 429) return 'Too many attempts: wait a little and try again.';
  if (trouble.status >= 500) return 'The server had a problem; try again in a moment.';
  return undefined;
}

export function TroubleMessage({ trouble, retry }: { trouble: Trouble; retry?: () => void }) {
  const hint = wayOn(trouble);
  return (
    <div className="notice bad" role="alert">
      <p>
        <strong>{trouble.status ? `Error ${trouble.status}: ` : 'No connection: '}</strong>
        {trouble.detail}
      </p>
      {hint && <p>{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What a screen shows while its data loads, or when loading failed (with a way to try again). */
export function Loaded<T>({ state, children }: { state: { data?: T; trouble?: Trouble; loading: boolean; reload: () => void }; children: (data: T) => ReactNode }) {
  if (state.trouble) return <TroubleMessage trouble={state.trouble} retry={state.reload} />;
  if (state.data === undefined) return <p aria-live="polite">Loading…</p>;
  return <>{children(state.data)}</>;
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  error?: string | undefined;
  hint?: string;
}

/** A labelled input with its validation message right beside it (and tied to it for screen readers). */
export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const box = input.type === 'checkbox';
  const control = <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />;
  return (
    <div className={`field${box ? ' check' : ''}${error ? ' invalid' : ''}`}>
      {box ? control : null}
      <label htmlFor={id}>{label}</label>
      {box ? null : control}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="error">
          {error}
        </small>
      )}
    </div>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  label: string;
  options: [value: string, text: string][];
  error?: string | undefined;
}

export function Select({ label, options, error, ...select }: SelectProps) {
  const id = useId();
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...select}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      {error && (
        <small id={`${id}-error`} className="error">
          {error}
        </small>
      )}
    </div>
  );
}

/** Page links for a server-paged list. */
export function Pager({ page, pages, total, onPage, noun }: { page: number; pages: number; total: number; onPage: (page: number) => void; noun: string }) {
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span aria-live="polite">
        Page {Math.min(page, Math.max(pages, 1))} of {Math.max(pages, 1)} · {total} {noun}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function Table({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((title) => (
              <th key={title} scope="col">
                {title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Text input values to the API's types: '' is left out, so a blank optional field is not sent. */
export function numberOrUndefined(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** A decimal number as people type it: "12", "12.5", "-3" (the API then says whether it is allowed). */
export function isNumber(text: string): boolean {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(text);
}

/** A form's closing row: its submit button, and one to close it without saving. */
export function FormButtons({ busy, submit, onClose }: { busy: boolean; submit: string; onClose: () => void }) {
  return (
    <div className="buttons">
      <button type="submit" disabled={busy}>
        {submit}
      </button>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

export interface EditorProps<T> {
  item: T | undefined;
  /** Called with what was saved, said in a sentence, or undefined when closed unsaved. */
  onDone: (saved: string | undefined) => void;
}

/** A list's open form, for a new item or one being edited; what it saved, the list says. */
export function OpenEditor<T extends { id: number }>({ editing, Editor, close, saved }: { editing: T | 'new' | undefined; Editor: (props: EditorProps<T>) => ReactNode; close: () => void; saved: (message: string) => void }) {
  if (!editing) return null;
  return (
    <Editor
      key={editing === 'new' ? 'new' : editing.id}
      item={editing === 'new' ? undefined : editing}
      onDone={(message) => {
        close();
        if (message) saved(message);
      }}
    />
  );
}

interface EditableListProps<T extends { id: number; name: string }> {
  title: string;
  noun: string;
  load: () => Promise<Outcome<T[]>>;
  remove: (item: T) => Promise<Outcome<{ message: string }>>;
  head: string[];
  cells: (item: T) => ReactNode;
  Editor: (props: EditorProps<T>) => ReactNode;
}

/** A short list the API answers whole (rates), with a form to add or edit one and a delete per row. */
export function EditableList<T extends { id: number; name: string }>({ title, noun, load, remove, head, cells, Editor }: EditableListProps<T>) {
  const list = useLoad(load, title);
  const [editing, setEditing] = useState<T | 'new'>();
  const action = useAction();

  async function removeOne(item: T) {
    const done = await action.run(() => remove(item), (answer) => `${item.name}: ${answer.message}`);
    if (done) list.reload();
  }

  return (
    <>
      <h1 tabIndex={-1}>{title}</h1>
      <p>
        <button type="button" onClick={() => { action.clear(); setEditing('new'); }}>
          New {noun}
        </button>
      </p>
      <Notice state={action} />
      <OpenEditor editing={editing} Editor={Editor} close={() => setEditing(undefined)} saved={(message) => { action.say(message); list.reload(); }} />
      <Loaded state={list}>
        {(items) => (
          <Table caption={title} head={[...head, 'Actions']}>
            {items.map((item) => (
              <tr key={item.id}>
                {cells(item)}
                <td className="row-actions">
                  <button type="button" aria-label={`Edit ${item.name}`} onClick={() => { action.clear(); setEditing(item); }}>
                    Edit
                  </button>
                  <button type="button" className="danger" aria-label={`Delete ${item.name}`} onClick={() => removeOne(item)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </>
  );
}
