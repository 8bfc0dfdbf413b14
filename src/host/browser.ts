/** Browser host glue: the engine on `navigator.gpu`. */
import { Engine, type EngineOptions } from '../gpu/engine.js';

export function createBrowserEngine(options: EngineOptions = {}): Promise<Engine> {
  return Engine.create(options);
}
