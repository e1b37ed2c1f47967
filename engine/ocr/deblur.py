"""A shaken photo: estimate the straight-line smear a moving camera left on the page, and undo it.

Why: on photos taken with a shaking hand every letter is smeared along one direction (dev set, issue #17:
the medical-college biochemistry report read 0 of its 5 rows, the thyroid/vitamin report 0 of 4);
sharpening, rescaling, CLAHE and binarising did not help. A linear motion blur is a convolution with a
short line segment (the point-spread function), which Wiener deconvolution inverts when the segment's
direction and length are known (Gonzalez & Woods, *Digital Image Processing*, 4th ed., §5.8–5.9).

Both are estimated from the page itself: the smear removes detail along its direction, so the direction
is the one with the least gradient energy (the smaller eigenvector of the page's structure tensor), and a
box of length L leaves the derivative along it with a negative autocorrelation at lag L (the two edges of
every smeared stroke: Yitzhaky & Kopeika, "Identification of blur parameters from motion blurred images",
Graphical Models and Image Processing 59(5), 1997). The deconvolved page is only a candidate reading: the
caller keeps it when it reads better than the page as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_LENGTH = 12  # work-page pixels (2000-px page): shorter smears are left to Tesseract (dev set: sharp pages 3-8)
MIN_ANISOTROPY = 0.5  # 1 - least/most gradient energy: a page blurred the same way in every direction is no shake
MAX_LAG = 40  # longest smear looked for, work-page pixels
NOISE_TO_SIGNAL = 0.01  # Wiener's constant: larger rings less and sharpens less


@dataclass(frozen=True)
class Motion:
    """A straight smear: its length in pixels and its direction in degrees (image axes, y down)."""

    length: int
    angle: float


def estimate_motion(gray: np.ndarray) -> Motion | None:
    """The camera's straight-line smear on the page, or None when the page shows none worth undoing."""
    page = gray.astype(np.float32)
    dx = cv2.Sobel(page, cv2.CV_32F, 1, 0, ksize=3)
    dy = cv2.Sobel(page, cv2.CV_32F, 0, 1, ksize=3)
    tensor = np.array([[np.mean(dx * dx), np.mean(dx * dy)], [np.mean(dx * dy), np.mean(dy * dy)]])
    energies, directions = np.linalg.eigh(tensor)
    if energies[1] <= 0 or 1 - energies[0] / energies[1] < MIN_ANISOTROPY:
        return None
    angle = float(np.degrees(np.arctan2(directions[1, 0], directions[0, 0])) % 180)
    turn = cv2.getRotationMatrix2D((page.shape[1] / 2, page.shape[0] / 2), angle, 1.0)
    along = np.diff(cv2.warpAffine(page, turn, (page.shape[1], page.shape[0]), borderMode=cv2.BORDER_REPLICATE),
                    axis=1)  # the smear now runs along the rows
    spectrum = np.fft.rfft(along, n=2 * along.shape[1], axis=1)
    correlation = np.fft.irfft(spectrum * np.conj(spectrum), axis=1)[:, :MAX_LAG + 1].sum(axis=0)
    length = int(np.argmin(correlation[1:])) + 1
    return Motion(length, angle) if length >= MIN_LENGTH else None


def line_psf(motion: Motion) -> np.ndarray:
    """The point-spread function of ``motion``: a line segment of unit total weight, centred."""
    half = motion.length // 2 + 2
    psf = np.zeros((2 * half + 1, 2 * half + 1), np.float32)
    theta = np.radians(motion.angle)
    for step in np.linspace(-motion.length / 2, motion.length / 2, 4 * motion.length + 1):
        psf[int(round(half + step * np.sin(theta))), int(round(half + step * np.cos(theta)))] += 1
    return psf / psf.sum()


def deconvolved(gray: np.ndarray, motion: Motion, noise: float = NOISE_TO_SIGNAL) -> np.ndarray:
    """``gray`` with ``motion`` undone by Wiener deconvolution (the page mirrored at its edges first, so
    the edges do not ring into the text)."""
    psf = line_psf(motion)
    pad = psf.shape[0]
    page = cv2.copyMakeBorder(gray.astype(np.float32) / 255, pad, pad, pad, pad, cv2.BORDER_REFLECT)
    kernel = np.zeros_like(page)
    kernel[:psf.shape[0], :psf.shape[1]] = psf
    kernel = np.roll(kernel, (-(psf.shape[0] // 2), -(psf.shape[1] // 2)), axis=(0, 1))
    blur = np.fft.rfft2(kernel)
    sharp = np.fft.irfft2(np.fft.rfft2(page) * np.conj(blur) / (np.abs(blur) ** 2 + noise), s=page.shape)
    return np.clip(sharp[pad:pad + gray.shape[0], pad:pad + gray.shape[1]] * 255, 0, 255).astype(np.uint8)
