"""Zero-shot accuracy of label phrasings on small datasets written for this purpose.

The plain method is the cosine similarity of mean-pooled embeddings against the bare label
names; fmstudio's default must do at least as well. Prints accuracy per dataset and method,
then the mean ratio default / plain last.
"""

from __future__ import annotations

import statistics

from fmstudio.core.events import run_to_end
from fmstudio.core.text import DEFAULT_TEMPLATE
from fmstudio.core.text.classify import classify_texts
from fmstudio.core.text.requests import ClassifyTexts

DATASETS: dict[str, dict[str, list[str]]] = {
    "topics": {
        "sports": [
            "The goalkeeper saved a penalty in the last minute.",
            "She won the marathon in record time.",
            "The team signed a new coach before the season.",
            "Rain delayed the tennis final by two hours.",
            "He hit a home run in the ninth inning.",
            "The cyclists climbed the mountain stage in heavy fog.",
        ],
        "politics": [
            "The senate voted against the proposed tax reform.",
            "Voters head to the polls for the regional election.",
            "The minister resigned after the scandal.",
            "Opposition leaders criticised the government's budget.",
            "The president signed the bill into law.",
            "Coalition talks broke down over immigration policy.",
        ],
        "cooking": [
            "Simmer the sauce until it thickens, then add basil.",
            "Whisk the eggs with sugar until pale.",
            "Roast the vegetables at 200 degrees for half an hour.",
            "Let the bread dough rise overnight in the fridge.",
            "Season the steak generously before searing it.",
            "Fold the flour gently into the batter.",
        ],
        "technology": [
            "The new laptop ships with a faster processor.",
            "Developers released a patch for the security flaw.",
            "The app now syncs your files across devices.",
            "Engineers trained a larger neural network on the cluster.",
            "The update improves battery life on older phones.",
            "The startup launched a cloud storage service.",
        ],
        "health": [
            "Regular exercise lowers the risk of heart disease.",
            "The doctor prescribed antibiotics for the infection.",
            "Drink plenty of water when you have a fever.",
            "A new vaccine was approved for children.",
            "Sleep deprivation weakens the immune system.",
            "The clinic offers free blood pressure checks.",
        ],
    },
    "customer messages": {
        "complaint": [
            "My order arrived broken and nobody answers my emails.",
            "This is the third time the delivery is late, unacceptable.",
            "The product stopped working after two days.",
            "I was charged twice and I am very annoyed.",
            "Your support agent was rude to me on the phone.",
            "The room was dirty and the heating did not work.",
        ],
        "praise": [
            "Thank you, the service was excellent and fast.",
            "I love this blender, it works perfectly.",
            "Great job, the staff were so friendly.",
            "Best purchase I have made this year.",
            "The repair was quick and the technician was wonderful.",
            "Everything arrived on time and beautifully packed.",
        ],
        "question": [
            "Do you ship to Canada?",
            "What are your opening hours on Sunday?",
            "Is this jacket available in a larger size?",
            "How long does the battery last?",
            "Can I pay with a credit card at the counter?",
            "Does the price include tax?",
        ],
        "cancellation": [
            "Please cancel my subscription from next month.",
            "I want to close my account.",
            "Stop my membership, I no longer need it.",
            "Cancel order 4521, I ordered it by mistake.",
            "I would like to end my contract early.",
            "Unsubscribe me and delete my plan.",
        ],
    },
    "emotions": {
        "joy": [
            "I just got the job and I can't stop smiling!",
            "What a wonderful day at the beach with my family.",
            "We are thrilled to announce our wedding.",
            "The surprise party made me so happy.",
        ],
        "anger": [
            "I am furious that they lied to us again.",
            "This makes my blood boil.",
            "How dare he take credit for my work!",
            "I'm so mad I could scream.",
        ],
        "sadness": [
            "I miss my grandmother every single day.",
            "The house feels empty since the dog died.",
            "I cried all night after the breakup.",
            "Nothing seems to matter anymore.",
        ],
        "fear": [
            "I heard footsteps behind me in the dark alley.",
            "I'm terrified of the surgery tomorrow.",
            "The shaking building made everyone panic.",
            "What if the plane crashes?",
        ],
    },
}


def accuracy(data: dict[str, list[str]], template: str | None) -> float:
    texts = [t for texts in data.values() for t in texts]
    truth = [label for label, texts in data.items() for _ in texts]
    request = ClassifyTexts(texts=tuple(texts), labels=tuple(data), template=template, top_k=1)
    results = run_to_end(classify_texts(request))
    return sum(r.top.label == y for r, y in zip(results, truth, strict=True)) / len(truth)


def main() -> None:
    templates = {"bare label (plain)": None, "default template": DEFAULT_TEMPLATE}
    ratios = []
    for name, data in DATASETS.items():
        scores = {t: accuracy(data, tpl) for t, tpl in templates.items()}
        print(name + ": " + ", ".join(f"{k} {v:.1%}" for k, v in scores.items()))
        ratios.append(scores["default template"] / scores["bare label (plain)"])
    print(f"ratio (default / plain accuracy, mean over datasets): {statistics.mean(ratios):.3f}")


if __name__ == "__main__":
    main()
