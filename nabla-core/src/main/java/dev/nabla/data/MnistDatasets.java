package dev.nabla.data;

import dev.nabla.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fashion-MNIST and MNIST from their IDX files. The files are looked for in the folder the user gives, then in
 * $NABLA_DATA/NAME, then in the user's data folder (~/.local/share/nabla/datasets/NAME), then where Debian's
 * package puts them (/usr/share/datasets/NAME). When none has them, a download into the user's data folder is
 * tried and each file's MD5 checked; if that fails too, the error says exactly how to get the files.
 */
public final class MnistDatasets {
    private MnistDatasets() {}

    /** The two data sets, with their default normalisation (applied after pixel/255) and their published checksums. */
    public enum Variant {
        /** Zalando's Fashion-MNIST: ten kinds of clothing. */
        FASHION_MNIST(
                "fashion-mnist",
                "Fashion-MNIST",
                0.2860,
                0.3530,
                "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
                "dataset-fashion-mnist",
                new String[] { // SHA-256 of the uncompressed files, checked against Debian's copy
                    "sha256:c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                            "sha256:bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                    "sha256:5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                            "sha256:0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
                },
                new String[] {
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot"
                }),
        /** LeCun's handwritten digits. */
        MNIST(
                "mnist",
                "MNIST",
                0.1307,
                0.3081,
                "https://ossci-datasets.s3.amazonaws.com/mnist/",
                null,
                new String[] { // MD5 of the .gz files as torchvision publishes them
                    "md5gz:f68b3c2dcbeaaa9fbdd348bbdeb94873", "md5gz:d53e105ee54ea40749a09fcbcd1e9432",
                    "md5gz:9fb629c4189551a2d022fa330f9573f3", "md5gz:ec29112dd5afa0611ce80d1b7f02629c"
                },
                new String[] {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});

        /** Folder name, display title, download URL and Debian package (or null). */
        public final String folder, title, baseUrl, debianPackage;
        /** Pixel mean and standard deviation of the training set (for normalisation). */
        public final double mean, std;

        private final String[] checksums;
        private final String[] classes;

        Variant(
                String folder,
                String title,
                double mean,
                double std,
                String baseUrl,
                String debianPackage,
                String[] checksums,
                String[] classes) {
            this.folder = folder;
            this.title = title;
            this.mean = mean;
            this.std = std;
            this.baseUrl = baseUrl;
            this.debianPackage = debianPackage;
            this.checksums = checksums;
            this.classes = classes;
        }

        /** The class names, by label. */
        public String[] classes() {
            return classes.clone();
        }
    }

    static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };

    /** Raised when the files cannot be found or fetched; the message says where we looked and what to do. */
    public static final class DataNotFoundException extends RuntimeException {
        DataNotFoundException(String message) {
            super(message);
        }
    }

    /** The training (60,000) or test (10,000) split, normalised with the variant's mean and std. */
    public static TensorDataset load(Variant v, Path userDir, boolean train) throws IOException {
        return load(v, userDir, train, true);
    }

    /** The train or test split as [N, 1, 28, 28] float32 (normalised with the set's mean and std when asked) and int64 labels. */
    public static TensorDataset load(Variant v, Path userDir, boolean train, boolean normalize) throws IOException {
        Path dir = locate(v, userDir);
        Path imageFile = file(dir, FILES[train ? 0 : 2]);
        Tensor images = normalize ? Idx.images(imageFile, (float) v.mean, (float) v.std) : Idx.images(imageFile);
        Tensor labels = Idx.labels(file(dir, FILES[train ? 1 : 3]));
        if (images.size(0) != labels.size(0))
            throw new IllegalStateException(dir + ": " + images.size(0) + " images but " + labels.size(0) + " labels");
        return new TensorDataset(images, labels);
    }

    private static Path file(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        return Files.exists(gz) ? gz : dir.resolve(name);
    }

    /** A folder counts only when it holds all four files, none of them empty (an interrupted copy leaves such folders). */
    static boolean complete(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) return false;
        for (String f : FILES) if (!nonEmpty(dir.resolve(f + ".gz")) && !nonEmpty(dir.resolve(f))) return false;
        return true;
    }

    private static boolean nonEmpty(Path f) {
        try {
            return Files.isRegularFile(f) && Files.size(f) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The folders searched, in order. */
    public static List<Path> searchPath(Variant v, Path userDir) {
        List<Path> dirs = new ArrayList<>();
        if (userDir != null) dirs.add(userDir);
        String env = System.getenv("NABLA_DATA");
        if (env != null && !env.isBlank()) dirs.add(Path.of(env, v.folder));
        dirs.add(userDataDir(v));
        dirs.add(Path.of("/usr/share/datasets", v.folder));
        return dirs;
    }

    /** ~/.local/share/nabla/datasets/NAME (or under $XDG_DATA_HOME), where downloads go. */
    public static Path userDataDir(Variant v) {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("nabla").resolve("datasets").resolve(v.folder);
    }

    /** The folder that holds the four files; downloads them (verified) when no folder does. */
    public static Path locate(Variant v, Path userDir) throws IOException {
        if (userDir != null && !complete(userDir))
            throw new DataNotFoundException(v.title + ": " + userDir + " does not hold the four IDX files ("
                    + String.join(", ", FILES) + ", optionally .gz)");
        for (Path d : searchPath(v, userDir)) if (complete(d)) return d;
        Path target = userDataDir(v);
        String failure;
        try {
            download(v, target);
            return target;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            failure = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        StringBuilder b = new StringBuilder(v.title + " not found. Looked in: ");
        b.append(String.join(
                        ", ", searchPath(v, null).stream().map(Path::toString).toList()))
                .append(". ");
        b.append("The download from ")
                .append(v.baseUrl)
                .append(" failed (")
                .append(failure)
                .append("). To get the files: ");
        if (v.debianPackage != null)
            b.append("sudo apt-get install ").append(v.debianPackage).append(", or ");
        b.append("put ")
                .append(String.join(".gz, ", FILES))
                .append(".gz into ")
                .append(target)
                .append(", or pass the folder that holds them (--data DIR).");
        throw new DataNotFoundException(b.toString());
    }

    /** The most a download may bring per file (the largest, train-images, is about 26 MB gzipped). */
    static final long MAX_DOWNLOAD_BYTES = 64L << 20;

    /**
     * Downloads the four files into a fresh temporary folder beside the target, verifies each checksum, and only
     * then moves them into place. On any failure everything this call created is removed again, so a failed
     * download never leaves an empty or partial data-set folder that would later count as "found".
     */
    static void download(Variant v, Path target) throws IOException, InterruptedException {
        download(v.baseUrl, v.checksums, target);
    }

    static void download(String baseUrl, String[] checksums, Path target) throws IOException, InterruptedException {
        if (!baseUrl.startsWith("https://"))
            throw new IOException("refusing a download that is not over HTTPS: " + baseUrl);
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        List<Path> created = createDirectories(target.toAbsolutePath().getParent());
        try (var old = Files.newDirectoryStream(
                target.toAbsolutePath().getParent(), "." + target.getFileName() + "-download-*")) {
            for (Path p : old) deleteTree(p); // staging folders of a download that was killed
        }
        Path staging = null;
        boolean moved = false;
        try {
            staging = Files.createTempDirectory(
                    target.toAbsolutePath().getParent(), "." + target.getFileName() + "-download-");
            for (int i = 0; i < FILES.length; i++) {
                Path dest = staging.resolve(FILES[i] + ".gz");
                URI uri = URI.create(baseUrl + FILES[i] + ".gz");
                HttpResponse<InputStream> res = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofMinutes(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = res.body()) {
                    if (res.statusCode() != 200) throw new IOException("HTTP " + res.statusCode() + " for " + uri);
                    if (!res.uri().getScheme().equals("https"))
                        throw new IOException(uri + " redirected to a non-HTTPS address " + res.uri());
                    long declared =
                            res.headers().firstValueAsLong("content-length").orElse(-1);
                    if (declared > MAX_DOWNLOAD_BYTES)
                        throw new IOException(
                                uri + " declares " + declared + " bytes, more than the limit of " + MAX_DOWNLOAD_BYTES);
                    copyCapped(in, dest, MAX_DOWNLOAD_BYTES, uri);
                }
                String got = checksum(dest, checksums[i]);
                if (!got.equals(checksums[i]))
                    throw new IOException("checksum mismatch for " + uri + ": " + got + ", expected " + checksums[i]);
            }
            if (Files.exists(target)) { // an incomplete folder from before: replace it
                try (var old = Files.list(target)) {
                    for (Path p : old.toList()) Files.deleteIfExists(p);
                }
                Files.delete(target);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                if (staging != null) deleteTree(staging);
                for (int i = created.size() - 1; i >= 0; i--) {
                    try {
                        Files.deleteIfExists(created.get(i));
                    } catch (IOException notEmpty) {
                        break;
                    }
                }
            }
        }
    }

    private static void copyCapped(InputStream in, Path dest, long cap, URI uri) throws IOException {
        try (var out = Files.newOutputStream(dest)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            for (int r; (r = in.read(buf)) > 0; ) {
                total += r;
                if (total > cap) throw new IOException(uri + " sent more than the limit of " + cap + " bytes");
                out.write(buf, 0, r);
            }
        }
    }

    /** Creates dir and its missing parents; returns the folders it created, outermost first. */
    private static List<Path> createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) missing.add(0, p);
        Files.createDirectories(dir);
        return missing;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a staging folder is hidden and named as such
        }
    }

    /** "sha256:HEX" of the uncompressed content, or "md5gz:HEX" of the .gz file itself, as {@code expected} asks. */
    static String checksum(Path gz, String expected) throws IOException {
        boolean content = expected.startsWith("sha256:");
        try (InputStream raw = Files.newInputStream(gz);
                InputStream in = content ? new java.util.zip.GZIPInputStream(raw, 1 << 16) : raw) {
            MessageDigest md = MessageDigest.getInstance(content ? "SHA-256" : "MD5");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return (content ? "sha256:" : "md5gz:") + HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
