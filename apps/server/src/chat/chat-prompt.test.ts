import { describe, expect, it } from 'vitest';
import { composeChatMessages, composeSystemMessage, experimentInstruction } from './chat-prompt';

const parts = {
  preSystemPrompt: 'PRE',
  systemPrompt: 'SYSTEM',
  character: 'CHARACTER',
  userProfile: 'PROFILE',
  postSystemPrompt: 'POST',
};

describe('chat prompt composition', () => {
  it('joins pre-system, system, character and profile with the separator, in that order', () => {
    expect(composeSystemMessage(parts)).toBe('PRE\n---\nSYSTEM\n---\nCHARACTER\n---\nPROFILE');
  });

  it.each([
    [{ preSystemPrompt: '' }, 'SYSTEM\n---\nCHARACTER\n---\nPROFILE'],
    [{ systemPrompt: '  ', character: '' }, 'PRE\n---\nPROFILE'],
    [{ preSystemPrompt: '', systemPrompt: '', character: '', userProfile: '' }, ''],
  ])('skips empty parts (%j)', (override, expected) => {
    expect(composeSystemMessage({ ...parts, ...override })).toBe(expected);
  });

  it('sends system, history, post-system prompt, then the new user message', () => {
    const messages = composeChatMessages({
      parts,
      history: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'assistant', content: '' },
      ],
      content: 'second question',
      experiment: false,
    });
    expect(messages).toEqual([
      { role: 'system', content: 'PRE\n---\nSYSTEM\n---\nCHARACTER\n---\nPROFILE' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'system', content: 'POST' },
      { role: 'user', content: 'second question' },
    ]);
  });

  it('leaves out an empty system message and an empty post-system prompt', () => {
    const empty = {
      preSystemPrompt: '',
      systemPrompt: '',
      character: '',
      userProfile: '',
      postSystemPrompt: '',
    };
    expect(
      composeChatMessages({ parts: empty, history: [], content: 'hi', experiment: false }),
    ).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('asks for an HTML experiment after the other system parts in experiment turns', () => {
    const [system] = composeChatMessages({
      parts,
      history: [],
      content: 'a bouncing ball',
      experiment: true,
    });
    expect(system).toEqual({
      role: 'system',
      content: `PRE\n---\nSYSTEM\n---\nCHARACTER\n---\nPROFILE\n---\n${experimentInstruction}`,
    });
  });
});
