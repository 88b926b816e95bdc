// The emulator harness is shared with `npm run local`; it lives in scripts/emulators/.
export { startLocalAws, freePort, DYNAMODB_LOCAL_DIR, type LocalAws } from '../../../scripts/emulators/local-aws.ts';
