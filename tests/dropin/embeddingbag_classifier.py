# text classification as in the torchtext tutorial: EmbeddingBag with offsets, custom collate_fn
import torch
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(0)
corpus = [(0, "the match ended in a draw after extra time"), (1, "stocks fell sharply as markets reacted"),
          (2, "new chip doubles battery life of phones"), (0, "the striker scored twice in the final"),
          (1, "the central bank raised interest rates"), (2, "researchers release open source compiler"),
          (0, "coach praises defence after narrow win"), (1, "oil prices climb on supply worries"),
          (2, "startup unveils faster graphics card")] * 4
vocab = {"<unk>": 0}
for _, text in corpus:
    for tok in text.split():
        vocab.setdefault(tok, len(vocab))
text_pipeline = lambda x: [vocab.get(t, 0) for t in x.split()]

def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(_label)
        processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list, text_list, offsets

class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()
    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))

model = TextClassificationModel(len(vocab), 16, 3)
dataloader = DataLoader(corpus, batch_size=8, shuffle=True, collate_fn=collate_batch)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.5)
for epoch in range(1, 5):
    model.train()
    total_acc, total_count = 0, 0
    for idx, (label, text, offsets) in enumerate(dataloader):
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    scheduler.step()
    print(f"| epoch {epoch:3d} | accuracy {total_acc / total_count:8.3f} | lr {scheduler.get_last_lr()[0]:.3f}")
with torch.no_grad():
    t = torch.tensor(text_pipeline("the bank raised prices"))
    print("predict", model(t, torch.tensor([0])).argmax(1).item() , model(t, torch.tensor([0])).softmax(1).round(decimals=3).tolist())
