// The demo fleet lives with the sample script that publishes it (scripts/ may not import test/); tests use it from here.
export * from '../../scripts/demo-fleet.js';
