// A small typed event emitter for host-free services (VS Code's EventEmitter is not available here).
// Listeners that throw do not stop the others.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners: ((value: T) => void)[] = [];

  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // one listener's failure is not the others'
      }
    }
  }

  dispose(): void {
    this.listeners = [];
  }
}
