// A form field that a choice fills with a default (the chosen folder's name, the dataset last
// worked on) until the user edits it. From the user's first edit on (erasing included), what
// they typed is the value, however late and however often a default arrives: a default never
// overwrites their text, nor lands in the middle of their typing to be joined with it.
import { batch, signal } from "@preact/signals";

/** A field's value and whether the user edited it; a component reading them re-renders on change. */
export class Defaulted<T = string> {
  private readonly current;
  private readonly edited = signal(false);

  constructor(initial: T) {
    this.current = signal(initial);
  }

  /** What the field holds. */
  get value(): T {
    return this.current.value;
  }

  /** Whether the user edited the field since it was made or last reset. */
  get touched(): boolean {
    return this.edited.value;
  }

  /** The user's edit (a key typed, the text erased, a pick): the value from now on. */
  edit(value: T) {
    batch(() => {
      this.current.value = value;
      this.edited.value = true;
    });
  }

  /** A default from a choice: taken only while the user has not edited the field. Says whether it was. */
  offer(value: T): boolean {
    if (this.edited.peek()) return false;
    this.current.value = value;
    return true;
  }

  /** Starts the field over (a new form): it holds `value` and takes defaults again until edited. */
  reset(value: T) {
    batch(() => {
      this.current.value = value;
      this.edited.value = false;
    });
  }
}
