import type { Random } from './create-random';
import { extractTopics } from './extract-topics';

const palettes = [
  ['#1d3557', '#e63946', '#f1faee'],
  ['#264653', '#e9c46a', '#f4f1de'],
  ['#3d405b', '#81b29a', '#f2cc8f'],
];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * A reply to an experiment request: a sentence, one self-contained HTML document in a
 * ```html block (a canvas animation titled after the request), then how to use it.
 */
export function generateExperiment(message: string, random: Random): string {
  const topic = extractTopics(message, 1)[0] ?? 'an experiment';
  const title = `${topic.charAt(0).toUpperCase()}${topic.slice(1)} – a tiny experiment`;
  const [background, accent, text] = random.pick(palettes);
  const count = random.integer(8, 24);
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>',
    `  body { margin: 0; font-family: system-ui, sans-serif; background: ${background}; color: ${text}; }`,
    '  header { padding: 12px 16px; } canvas { display: block; width: 100%; height: 70vh; }',
    '</style>',
    '</head>',
    '<body>',
    `<header><h1>${escapeHtml(title)}</h1><p id="status">Click the canvas to add a ball.</p></header>`,
    '<canvas id="stage"></canvas>',
    '<script>',
    "  const canvas = document.getElementById('stage');",
    "  const context = canvas.getContext('2d');",
    `  const balls = Array.from({ length: ${count} }, (_, index) => ({ x: 40 + index * 17, y: 60, dx: 1.5 + (index % 5), dy: 2 }));`,
    '  function frame() {',
    '    canvas.width = canvas.clientWidth; canvas.height = canvas.clientHeight;',
    `    context.fillStyle = '${accent}';`,
    '    for (const ball of balls) {',
    '      ball.x += ball.dx; ball.y += ball.dy;',
    '      if (ball.x < 8 || ball.x > canvas.width - 8) ball.dx *= -1;',
    '      if (ball.y < 8 || ball.y > canvas.height - 8) ball.dy *= -1;',
    '      context.beginPath(); context.arc(ball.x, ball.y, 8, 0, Math.PI * 2); context.fill();',
    '    }',
    '    requestAnimationFrame(frame);',
    '  }',
    "  canvas.addEventListener('click', (event) => {",
    '    balls.push({ x: event.offsetX, y: event.offsetY, dx: 2, dy: -2 });',
    "    document.getElementById('status').textContent = balls.length + ' balls';",
    '  });',
    '  frame();',
    '</script>',
    '</body>',
    '</html>',
  ].join('\n');
  return [
    `Here’s a small, self-contained experiment about “${topic}”.`,
    `\`\`\`html\n${html}\n\`\`\``,
    'Click anywhere on the canvas to add another ball; the counter at the top follows along.',
  ].join('\n\n');
}
