"""A PyTorch BERT-Tiny masked LM trained on exactly the ids BertBench uses, with BertBench's recipe, to compare
Orthrus's MLM against a reference (docs/masked-lm.md).

    java --add-modules jdk.incubator.vector -cp ... io.orthrus.cli.Main bench bert --steps 1 --dump /tmp/mlm
    /usr/bin/python3 src/test/python/mlm_reference.py /tmp/mlm 2000 2     # directory, steps, threads

BERT-Tiny: 2 post-norm layers, width 128, 2 heads, feed-forward 512, exact GELU, dropout 0.1, learned positions,
embedding LayerNorm, MLM head dense-GELU-LayerNorm tied to the token embedding plus a bias; sequences [CLS] + 62
tokens + [SEP], batch 32; 15% masked, 80/10/10; AdamW(0.9, 0.99), weight decay 0.1 on matrices, lr 1e-3 with 100
warm-up steps and cosine decay to 1e-4, clip 1.0. Prints the loss, the validation masked-token loss and accuracy, and
fill-mask probes.
"""
import math, time, sys, numpy as np, torch, torch.nn as nn
torch.manual_seed(0); np.random.seed(0)
directory = sys.argv[1]
steps = int(sys.argv[2])
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
vocab = [l.rstrip('\n') for l in open(directory + '/vocab.txt', encoding='utf-8')]
V = len(vocab); T = 64; B = 32; C = 128; H = 2; L = 2; FF = 512
train = np.fromfile(directory + '/train.bin', dtype=np.int32); val = np.fromfile(directory + '/val.bin', dtype=np.int32)
PAD, UNK, CLS, SEP, MASK = (vocab.index(t) for t in ('[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'))
class Bert(nn.Module):
    def __init__(s):
        super().__init__()
        s.wte = nn.Embedding(V, C); s.wpe = nn.Embedding(T, C); s.ln = nn.LayerNorm(C); s.drop = nn.Dropout(0.1)
        layer = nn.TransformerEncoderLayer(C, H, FF, 0.1, activation='gelu', batch_first=True, norm_first=False)
        s.enc = nn.TransformerEncoder(layer, L)
        s.dense = nn.Linear(C, C); s.ln2 = nn.LayerNorm(C); s.bias = nn.Parameter(torch.zeros(V))
        for n, p in s.named_parameters():
            if p.dim() >= 2: nn.init.normal_(p, std=0.02)
    def forward(s, ids):
        x = s.drop(s.ln(s.wte(ids) + s.wpe.weight[:ids.shape[1]]))
        h = s.enc(x)
        return s.ln2(nn.functional.gelu(s.dense(h))) @ s.wte.weight.t() + s.bias
def batch(data):
    starts = np.random.randint(0, len(data) - (T - 2), B)
    ids = np.stack([np.concatenate([[CLS], data[i:i + T - 2], [SEP]]) for i in starts])
    return torch.tensor(ids, dtype=torch.long)
def mask(ids):
    inp = ids.clone(); tgt = torch.full_like(ids, -100)
    for r in range(B):
        pos = np.random.permutation(np.arange(1, T - 1))[:round(0.15 * (T - 2))]
        for p in pos:
            tgt[r, p] = ids[r, p]; u = np.random.rand()
            if u < 0.8: inp[r, p] = MASK
            elif u < 0.9: inp[r, p] = np.random.randint(5, V)
    return inp, tgt
m = Bert(); decay = [p for n, p in m.named_parameters() if p.dim() >= 2]; nodecay = [p for n, p in m.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': nodecay, 'weight_decay': 0.0}], lr=1e-3, betas=(0.9, 0.99))
def lr(s): return 1e-3 * (s + 1) / 101 if s < 100 else 1e-4 + 0.5 * (1e-3 - 1e-4) * (1 + math.cos(math.pi * (s - 100) / (steps - 100)))
t0 = time.time()
for s in range(steps):
    for g in opt.param_groups: g['lr'] = lr(s)
    inp, tgt = mask(batch(train))
    loss = nn.functional.cross_entropy(m(inp).view(-1, V), tgt.view(-1), ignore_index=-100)
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
    if (s + 1) % (steps // 4) == 0: print(f'step {s+1} loss {loss.item():.4f} {time.time()-t0:.0f}s', flush=True)
m.eval(); correct = total = 0; ls = 0
with torch.no_grad():
    for _ in range(20):
        inp, tgt = mask(batch(val)); logits = m(inp); sel = tgt != -100
        ls += nn.functional.cross_entropy(logits[sel], tgt[sel], reduction='sum').item()
        correct += (logits[sel].argmax(-1) == tgt[sel]).sum().item(); total += sel.sum().item()
print(f'val loss {ls/total:.4f} masked acc {correct/total:.4f}')
idx = {t: i for i, t in enumerate(vocab)}
for probe in ['to be or not to be , that is the [MASK] .', 'the [MASK] of the', 'good [MASK] , sir .']:
    ids = [CLS] + [MASK if w == '[MASK]' else idx.get(w, UNK) for w in probe.split()] + [SEP]
    with torch.no_grad(): p = m(torch.tensor([ids])).softmax(-1)[0, ids.index(MASK)]
    top = p.topk(3); print(probe, [(vocab[i], round(v.item(), 3)) for v, i in zip(top.values, top.indices)])
