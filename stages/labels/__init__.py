"""What the labelling stages (annotate, train_classifier, classify) share: the label families, section
groups, the stratified sample, the metadata teacher, the fastText student and its metrics."""
