/** Re-export so bench scripts and the eval command share one way of reading labelled sets. */
export { embedLabelledDir, type LabelledFace, type LabelledSet } from '#cli/commands/eval.ts';
