"""ganzoo's own evaluators, registered through the plugin manager as any plugin's are (specs only: no torch).

Image FID/KID/PR (plus class metrics where the dataset declares ``classifier_epochs``), vectors (energy
distance and MMD; mode metrics for Gaussian mixtures), super-resolution PSNR/SSIM, translation (FID to
domain B, label kept) and text BLEU.
"""

from ganzoo.hookspecs import hookimpl
from ganzoo.specs import IMAGE, IMAGE_DOMAINS, IMAGE_PAIRS, TEXT, VECTORS, EvaluatorSpec

_EVALUATE = "ganzoo.metrics.evaluate"


@hookimpl
def ganzoo_evaluators() -> list[EvaluatorSpec]:
    """One evaluator per data kind."""
    return [
        EvaluatorSpec(
            "images",
            "FID, KID, precision/recall; IS, class coverage and accuracy with a domain classifier",
            f"{_EVALUATE}:ImageEvaluator",
            data_kinds=(IMAGE,),
            metrics=("fid", "kid", "precision", "recall", "is", "classes", "class_kl", "class_acc"),
        ),
        EvaluatorSpec(
            "vectors",
            "Energy distance and MMD to real points; modes, % high quality, mode KL for mixtures",
            f"{_EVALUATE}:VectorsEvaluator",
            data_kinds=(VECTORS,),
            metrics=("energy", "mmd", "modes", "hq", "mode_kl"),
        ),
        EvaluatorSpec(
            "super-resolution",
            "PSNR and SSIM on Y of 8-bit, tiled output over whole test images",
            f"{_EVALUATE}:SuperResolutionEvaluator",
            data_kinds=(IMAGE_PAIRS,),
            metrics=("psnr", "ssim"),
        ),
        EvaluatorSpec(
            "translation",
            "FID of A translated to B against B; share of translations that keep A's label (B's classifier)",
            f"{_EVALUATE}:TranslationEvaluator",
            data_kinds=(IMAGE_DOMAINS,),
            metrics=("fid", "label_kept"),
        ),
        EvaluatorSpec(
            "text",
            "BLEU-2/3 against real sequences and self-BLEU-3 (Texygen)",
            f"{_EVALUATE}:TextEvaluator",
            data_kinds=(TEXT,),
            metrics=("bleu2", "bleu3", "self_bleu3"),
        ),
    ]
