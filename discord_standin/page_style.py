"""The inline CSS of the guild page, styled after the Discord client's dark theme."""

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#313338;color:#dbdee1;font:15px/1.375 "gg sans","Noto Sans",
"Helvetica Neue",Helvetica,Arial,sans-serif}
.app{display:flex;min-height:100vh}
.sidebar{width:240px;flex:none;background:#2b2d31;padding:0 8px 24px;position:sticky;top:0;align-self:flex-start;
max-height:100vh;overflow-y:auto}
.sidebar .guild{font-weight:700;color:#f2f3f5;padding:14px 8px;border-bottom:1px solid #1f2023;margin:0 -8px 8px}
.sidebar .cat{text-transform:uppercase;font-size:12px;font-weight:700;color:#949ba4;margin:16px 8px 4px;
letter-spacing:.02em}
.sidebar ul{list-style:none;margin:0;padding:0}
.sidebar a{display:block;color:#949ba4;text-decoration:none;padding:5px 8px;border-radius:4px}
.sidebar a:hover{background:#35373c;color:#dbdee1}
.sidebar .sub-threads a{padding:2px 8px 2px 28px;font-size:13px}
.hash{color:#80848e;margin-right:6px;font-weight:500}
main{flex:1;min-width:0;padding:0 0 48px}
.page-head{padding:20px 24px 12px;border-bottom:1px solid #1f2023}
.page-head h1{margin:0;font-size:22px;color:#f2f3f5}
.subtitle{margin:4px 0 0;color:#b5bac1}
.guild-name{margin:4px 0 0;color:#949ba4;font-size:13px}
.channel{padding:8px 0 16px;border-bottom:1px solid #1f2023}
.channel-head{font-size:16px;color:#f2f3f5;margin:0;padding:12px 24px;position:sticky;top:0;background:#313338;
border-bottom:1px solid #26282c;z-index:1}
.channel-head .topic{font-weight:400;color:#949ba4;font-size:13px;margin-left:12px}
.dm-head{font-size:14px;color:#dbdee1;margin:12px 24px 4px}
.msg{display:flex;gap:14px;padding:6px 24px 6px 16px;margin-top:6px}
.msg:hover{background:#2e3035}
.msg.ephemeral{background:rgba(88,101,242,.07);border-left:2px solid #5865f2}
.avatar{width:40px;height:40px;flex:none;border-radius:50%;color:#fff;font-weight:700;display:flex;
align-items:center;justify-content:center;margin-top:2px}
.msg-body{min-width:0;flex:1}
.action,.reply-ref{font-size:13px;color:#b5bac1;margin-bottom:2px}
.head{display:flex;align-items:baseline;gap:6px;flex-wrap:wrap}
.author{font-weight:600;color:#f2f3f5}
.bot-tag{background:#5865f2;color:#fff;font-size:10px;font-weight:700;padding:1px 4px;border-radius:3px;
position:relative;top:-1px}
.time,.edited,.muted{color:#949ba4;font-size:12px}
.content,.e-desc,.e-fvalue,.text-display{word-wrap:break-word;overflow-wrap:anywhere}
.content .line,.e-desc .line,.e-fvalue .line,.text-display .line{white-space:pre-wrap}
.thinking{color:#949ba4;font-style:italic}
.only{font-size:12px;color:#949ba4;margin-top:4px}
.mention{background:rgba(88,101,242,.3);color:#c9cdfb;border-radius:3px;padding:0 2px;font-weight:500}
.stamp{background:rgba(78,80,88,.48);border-radius:3px;padding:0 2px}
.emoji{color:#b5bac1}
.link{color:#00a8fc}
.url{color:#00a8fc;font-size:.9em;word-break:break-all}
.spoiler{background:#1e1f22;color:#1e1f22;border-radius:3px;padding:0 2px}
.spoiler:hover{color:#dbdee1}
code.ic{background:#2b2d31;border:1px solid #1f2023;border-radius:4px;padding:0 3px;font-size:.875em;
font-family:Consolas,"Andale Mono WT","Andale Mono",Menlo,monospace}
pre.code{background:#2b2d31;border:1px solid #1f2023;border-radius:4px;padding:8px;margin:4px 0;white-space:pre-wrap;
font-family:Consolas,"Andale Mono WT","Andale Mono",Menlo,monospace;font-size:.875em;max-width:90%}
pre.code .lang{display:block;color:#949ba4;font-size:11px;margin-bottom:4px}
blockquote{margin:2px 0;padding:0 0 0 12px;border-left:4px solid #4e5058}
.content ul,.content ol,.e-desc ul,.e-fvalue ul{margin:2px 0;padding-left:22px}
li.sub{margin-left:18px}
.h1{font-size:1.5em;font-weight:700}.h2{font-size:1.25em;font-weight:700}.h3{font-size:1.1em;font-weight:700}
.subtext{font-size:12px;color:#949ba4}
.embeds{display:flex;flex-direction:column;gap:4px;margin-top:4px}
.embed{display:flex;gap:16px;max-width:520px;background:#2b2d31;border-left:4px solid #1e1f22;border-radius:4px;
padding:8px 16px 12px 12px}
.e-main{flex:1;min-width:0;display:flex;flex-direction:column;gap:6px}
.e-author{display:flex;align-items:center;gap:8px;font-size:14px;font-weight:600;color:#f2f3f5}
.e-title{font-weight:700;color:#f2f3f5}
.e-desc{font-size:14px}
.e-fields{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}
.e-field{grid-column:1/-1}.e-field.inline{grid-column:auto}
.e-fname{font-weight:700;font-size:14px;color:#f2f3f5}
.e-fvalue{font-size:14px}
.e-img{max-width:100%;max-height:300px;border-radius:4px;display:block}
.e-thumb{flex:none}.e-timg{max-width:80px;max-height:80px;border-radius:4px}
img.e-icon{width:24px;height:24px;border-radius:50%}
.e-footer{display:flex;align-items:center;gap:8px;font-size:12px;color:#b5bac1}
.files{display:flex;flex-wrap:wrap;gap:8px;margin-top:6px}
img.attachment{max-width:400px;max-height:300px;border-radius:8px;display:block}
.file{display:flex;align-items:center;gap:8px;background:#2b2d31;border:1px solid #1f2023;border-radius:8px;
padding:10px 14px;max-width:420px}
.file-name{color:#00a8fc}
.placeholder{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:4px;min-width:120px;
min-height:80px;padding:12px;background:#2b2d31;border:1px dashed #4e5058;border-radius:6px;color:#949ba4;
font-size:12px}
.placeholder.e-icon{min-width:24px;min-height:24px;padding:0;font-size:10px}
.placeholder.e-icon .ph-name{display:none}
.components{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.row{display:flex;flex-wrap:wrap;gap:8px}
.btn{display:inline-flex;align-items:center;gap:4px;min-height:32px;padding:2px 16px;border-radius:4px;font-size:14px;
font-weight:500;color:#fff;cursor:default;user-select:none}
.btn.primary{background:#5865f2}.btn.secondary,.btn.link{background:#4e5058}.btn.success{background:#248046}
.btn.danger{background:#da373c}.btn.premium{background:#eb459e}
.btn.disabled,.select.disabled{opacity:.5}
.select{display:flex;justify-content:space-between;align-items:center;min-width:280px;max-width:400px;padding:8px 12px;
background:#1e1f22;border-radius:4px;color:#949ba4;font-size:14px;cursor:default}
.caret{margin-left:12px}
.section{display:flex;gap:12px;justify-content:space-between}
.container{background:#2b2d31;border-left:4px solid #4e5058;border-radius:8px;padding:12px 16px;max-width:520px;
display:flex;flex-direction:column;gap:8px}
.gallery{display:flex;flex-wrap:wrap;gap:4px}
img.c-media{max-width:240px;max-height:240px;border-radius:4px}
img.c-thumb{max-width:85px;max-height:85px;border-radius:4px}
hr.separator{border:0;border-top:1px solid #4e5058;margin:4px 0;width:100%}
.thread{margin:4px 24px 8px 70px;border-left:2px solid #4e5058;background:#2f3136;border-radius:0 6px 6px 0;
padding:4px 0 6px}
.thread.private{border-left-color:#f0b232}
.thread .msg{padding-left:12px}
.thread-head{display:flex;align-items:center;gap:8px;padding:6px 12px;font-weight:600;color:#f2f3f5}
.tag{font-size:11px;font-weight:600;background:#4e5058;color:#dbdee1;border-radius:3px;padding:1px 5px}
.tag.private{background:#f0b232;color:#1e1f22}
.empty{color:#949ba4;font-style:italic;margin:8px 24px}
"""
