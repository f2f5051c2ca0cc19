export * from './environment';
export * from './helpers';
export * from './contract-assertions';
export * from './stack';
export * from './contract-fuzzer';
export * from './accounts';
export * from './test-tokens';
export * from './test-producer';
