export * from './event-id';
export * from './events';
export * from './html-artifact/html-artifact-extractor';
export * from './partial-json/index';
export * from './schemas/chat';
export * from './schemas/plan';
export * from './schemas/provider-keys';
export * from './schemas/user-text';
