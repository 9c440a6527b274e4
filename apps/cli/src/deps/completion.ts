// What `volt completion` uses: the generator, kept out of volt.cjs so that no other command loads it.
export { COMPLETION_SHELLS, completionScript, completionTree } from '../completion.js';
