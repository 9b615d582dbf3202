//! Resizing with the `image` crate, off the async runtime, into a cache folder.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use image::ImageFormat;
use sha2::{Digest, Sha256};

use crate::ArtworkError;

/// The widest picture served; larger requests are refused rather than upscaled at cost.
pub const MAX_WIDTH: u32 = 3840;

/// The file to send for `source` at `width` (the source itself when no width or a width at
/// least its own), and its content type. Resized copies are made once and cached.
pub async fn sized(
    source: &Path,
    width: Option<u32>,
    cache: &Path,
) -> Result<(PathBuf, &'static str), ArtworkError> {
    let unreadable = |reason: String| ArtworkError::Unreadable {
        path: source.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(source).map_err(|e| unreadable(e.to_string()))?;
    let format = ImageFormat::from_path(source).map_err(|e| unreadable(e.to_string()))?;
    let Some(width) = width else {
        return Ok((source.to_path_buf(), content_type(format)));
    };
    if width == 0 || width > MAX_WIDTH {
        return Err(ArtworkError::BadWidth { max: MAX_WIDTH });
    }
    // Transparency (logos) needs PNG; everything else becomes JPEG.
    let out_format = if format == ImageFormat::Png {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    };
    let mut hasher = Sha256::new();
    hasher.update(source.as_os_str().as_encoded_bytes());
    hasher.update(meta.len().to_le_bytes());
    hasher.update(meta.mtime().to_le_bytes());
    hasher.update(meta.mtime_nsec().to_le_bytes());
    hasher.update(width.to_le_bytes());
    let key = hex::encode(&hasher.finalize()[..16]);
    let extension = if out_format == ImageFormat::Png {
        "png"
    } else {
        "jpg"
    };
    let cached = cache.join(format!("{key}.{extension}"));
    if cached.is_file() {
        return Ok((cached, content_type(out_format)));
    }
    let source_path = source.to_path_buf();
    let target = cached.clone();
    let cache_dir = cache.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<(), String> {
        let picture = image::open(&source_path).map_err(|e| e.to_string())?;
        let resized = if width >= picture.width() {
            picture
        } else {
            let height = (u64::from(picture.height()) * u64::from(width)
                / u64::from(picture.width().max(1)))
            .max(1);
            let height = u32::try_from(height).unwrap_or(u32::MAX);
            picture.resize(width, height, image::imageops::FilterType::Triangle)
        };
        std::fs::create_dir_all(&cache_dir).map_err(|e| e.to_string())?;
        // Written under a temporary name and renamed, so a concurrent reader never sees half.
        let partial = target.with_extension("partial");
        let resized = if out_format == ImageFormat::Jpeg {
            image::DynamicImage::ImageRgb8(resized.to_rgb8())
        } else {
            resized
        };
        resized
            .save_with_format(&partial, out_format)
            .map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &target).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| unreadable(e.to_string()))?
    .map_err(unreadable)?;
    Ok((cached, content_type(out_format)))
}

fn content_type(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        _ => "image/jpeg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn resizes_once_and_keeps_the_aspect() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("poster.jpg");
        image::RgbImage::from_pixel(400, 600, image::Rgb([200, 10, 10]))
            .save(&source)
            .unwrap();
        let cache = dir.path().join("cache");
        let (path, kind) = sized(&source, Some(100), &cache).await.unwrap();
        assert_eq!(kind, "image/jpeg");
        let small = image::open(&path).unwrap();
        assert_eq!((small.width(), small.height()), (100, 150));
        let (again, _) = sized(&source, Some(100), &cache).await.unwrap();
        assert_eq!(again, path, "served from the cache");
        let (original, _) = sized(&source, None, &cache).await.unwrap();
        assert_eq!(original, source);
        assert!(matches!(
            sized(&source, Some(0), &cache).await,
            Err(ArtworkError::BadWidth { .. })
        ));
        let broken = dir.path().join("broken.jpg");
        std::fs::write(&broken, b"not a picture").unwrap();
        let error = sized(&broken, Some(50), &cache).await.unwrap_err();
        assert!(error.to_string().contains("broken.jpg"), "{error}");
    }
}
