"""Stand-ins for Elasticsearch's analysis-smartcn and analysis-icu plugins and the IK Analysis
plugin, built with javac from Lucene's analysis jars (and IK's, for Lucene 9) on Maven Central
through Elasticsearch's stable plugin API."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from .common import TestbedError, log

if TYPE_CHECKING:
    from .elasticsearch import Elasticsearch

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"

#
# Elastic publishes the official analysis-smartcn / analysis-icu zips for 8.x only on
# artifacts.elastic.co, which this machine cannot reach (Maven Central's
# org.elasticsearch.plugin:analysis-smartcn has no version at all, analysis-icu stops at
# 5.0.0-alpha5). So the test bed builds stand-ins with the same component names from
# Lucene's own analysis jars on Maven Central, through Elasticsearch's stable plugin API
# (elasticsearch-plugin-analysis-api, shipped in the distribution's lib/), and installs them
# with ``elasticsearch-plugin install --batch file:///...zip``. Building needs ``javac``.
# An official zip wins when its path is given in YIPIN_TESTBED_ES_PLUGIN_<NAME>, e.g.
# YIPIN_TESTBED_ES_PLUGIN_ANALYSIS_SMARTCN=/path/to/analysis-smartcn-8.19.4.zip.

LUCENE_VERSION = "9.12.2"  # the Lucene inside Elasticsearch 8.19.4 (lib/lucene-core-*.jar)

SMARTCN_SOURCE = """\
package org.yipin.testbed.smartcn;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;

public final class Smartcn {
    private Smartcn() {}

    @NamedComponent("smartcn")
    public static final class SmartcnAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            return new SmartChineseAnalyzer();
        }
    }

    @NamedComponent("smartcn_tokenizer")
    public static final class SmartcnTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new HMMChineseTokenizer();
        }
    }

    @NamedComponent("smartcn_stop")
    public static final class SmartcnStop implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream input) {
            return new StopFilter(input, SmartChineseAnalyzer.getDefaultStopSet());
        }
    }
}
"""

ICU_SOURCE = """\
package org.yipin.testbed.icu;

import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.Transliterator;
import java.io.Reader;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.icu.ICUFoldingFilter;
import org.apache.lucene.analysis.icu.ICUNormalizer2CharFilter;
import org.apache.lucene.analysis.icu.ICUNormalizer2Filter;
import org.apache.lucene.analysis.icu.ICUTransformFilter;
import org.apache.lucene.analysis.icu.segmentation.ICUTokenizer;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.elasticsearch.plugin.analysis.CharFilterFactory;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

public final class Icu {
    private Icu() {}

    static Normalizer2 normalizer(NormalizerSettings s) {
        Normalizer2.Mode mode =
            "decompose".equals(s.mode()) ? Normalizer2.Mode.DECOMPOSE : Normalizer2.Mode.COMPOSE;
        return Normalizer2.getInstance(null, s.name(), mode);
    }

    @AnalysisSettings
    public interface NormalizerSettings {
        @StringSetting(path = "name", defaultValue = "nfkc_cf")
        String name();

        @StringSetting(path = "mode", defaultValue = "compose")
        String mode();
    }

    @AnalysisSettings
    public interface TransformSettings {
        @StringSetting(path = "id", defaultValue = "Null")
        String id();

        @StringSetting(path = "dir", defaultValue = "forward")
        String dir();
    }

    @NamedComponent("icu_tokenizer")
    public static final class IcuTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new ICUTokenizer();
        }
    }

    @NamedComponent("icu_folding")
    public static final class IcuFolding implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream input) {
            return new ICUFoldingFilter(input);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_normalizer")
    public static final class IcuNormalizerFilter implements TokenFilterFactory {
        private final Normalizer2 normalizer;

        @Inject
        public IcuNormalizerFilter(NormalizerSettings settings) {
            this.normalizer = normalizer(settings);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new ICUNormalizer2Filter(input, normalizer);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_normalizer")
    public static final class IcuNormalizerCharFilter implements CharFilterFactory {
        private final Normalizer2 normalizer;

        @Inject
        public IcuNormalizerCharFilter(NormalizerSettings settings) {
            this.normalizer = normalizer(settings);
        }

        @Override
        public Reader create(Reader reader) {
            return new ICUNormalizer2CharFilter(reader, normalizer);
        }

        @Override
        public Reader normalize(Reader reader) {
            return create(reader);
        }
    }

    @NamedComponent("icu_transform")
    public static final class IcuTransform implements TokenFilterFactory {
        private final Transliterator transliterator;

        @Inject
        public IcuTransform(TransformSettings settings) {
            int dir = "reverse".equals(settings.dir())
                ? Transliterator.REVERSE
                : Transliterator.FORWARD;
            this.transliterator = Transliterator.getInstance(settings.id(), dir);
        }

        @Override
        public TokenStream create(TokenStream input) {
            return new ICUTransformFilter(input, transliterator);
        }

        @Override
        public TokenStream normalize(TokenStream input) {
            return create(input);
        }
    }

    @NamedComponent("icu_analyzer")
    public static final class IcuAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            Normalizer2 nfkcCf = Normalizer2.getNFKCCasefoldInstance();
            return new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String field) {
                    Tokenizer source = new ICUTokenizer();
                    return new TokenStreamComponents(source, new ICUFoldingFilter(source));
                }

                @Override
                protected Reader initReader(String field, Reader reader) {
                    return new ICUNormalizer2CharFilter(reader, nfkcCf);
                }
            };
        }
    }
}
"""

IK_SOURCE = """\
package org.yipin.testbed.ik;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.Tokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;
import org.elasticsearch.plugin.analysis.TokenizerFactory;
import org.wltea.analyzer.lucene.IKAnalyzer;
import org.wltea.analyzer.lucene.IKTokenizer;

public final class Ik {
    private Ik() {}

    @NamedComponent("ik_max_word")
    public static final class MaxWordAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            return new IKAnalyzer(false);
        }
    }

    @NamedComponent("ik_smart")
    public static final class SmartAnalyzer implements AnalyzerFactory {
        @Override
        public Analyzer create() {
            return new IKAnalyzer(true);
        }
    }

    @NamedComponent("ik_max_word")
    public static final class MaxWordTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new IKTokenizer(false);
        }
    }

    @NamedComponent("ik_smart")
    public static final class SmartTokenizer implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return new IKTokenizer(true);
        }
    }
}
"""

_ANALYSIS = "org.elasticsearch.plugin.analysis."


class StablePlugin:
    """An analysis plugin built from Lucene jars on Maven Central via the stable plugin API."""

    def __init__(
        self,
        name: str,
        description: str,
        jars: list[str],
        source: str,
        components: dict[str, dict[str, str]],
    ) -> None:
        self.name = name
        self.description = description
        self.jars = jars  # Maven coordinates group:artifact:version
        self.source = source
        self.components = components

    def fingerprint(self, es_version: str) -> str:
        text = "\n".join([es_version, *self.jars, self.source, repr(self.components)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def build(self, es: Elasticsearch) -> Path:
        """Return the plugin zip, building it (cached under <base>/es-plugins) if needed."""
        fingerprint = self.fingerprint(es.version)
        out = es.base / "es-plugins" / f"{self.name}-{es.version}-{fingerprint}.zip"
        if out.exists():
            return out
        javac = _javac()
        jars = [_maven_jar(es.base, coordinate) for coordinate in self.jars]
        lib = es.home / "lib"
        classpath = [
            *sorted(lib.glob("lucene-core-*.jar")),
            *sorted(lib.glob("lucene-analysis-common-*.jar")),
            *sorted(lib.glob("elasticsearch-plugin-api-*.jar")),
            *sorted(lib.glob("elasticsearch-plugin-analysis-api-*.jar")),
            *jars,
        ]
        package = self.source.split("package ", 1)[1].split(";", 1)[0].strip()
        cls = self.source.split("public final class ", 1)[1].split()[0]
        log(f"elasticsearch: building plugin {self.name} (stable plugin API, javac)")
        with tempfile.TemporaryDirectory(prefix="yipin-es-plugin-") as tmp:
            src = Path(tmp) / "src" / package.replace(".", "/") / f"{cls}.java"
            src.parent.mkdir(parents=True)
            src.write_text(self.source)
            classes = Path(tmp) / "classes"
            result = subprocess.run(
                [
                    javac,
                    "--release",
                    "17",
                    "-nowarn",
                    "-d",
                    str(classes),
                    "-cp",
                    os.pathsep.join(map(str, classpath)),
                    str(src),
                ],
                capture_output=True,
                text=True,
                timeout=300,
            )
            if result.returncode != 0:
                raise TestbedError(f"javac failed:\n{result.stdout}{result.stderr}")
            own_jar = Path(tmp) / f"yipin-testbed-{self.name}.jar"
            with zipfile.ZipFile(own_jar, "w", zipfile.ZIP_DEFLATED) as jar:
                jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n")
                for path in sorted(classes.rglob("*.class")):
                    jar.write(path, path.relative_to(classes).as_posix())
            descriptor = (
                f"description={self.description}\n"
                f"version={es.version}\n"
                f"name={self.name}\n"
                "java.version=17\n"
                f"elasticsearch.version={es.version}\n"
            )
            out.parent.mkdir(parents=True, exist_ok=True)
            part = out.with_suffix(".part")
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as plugin_zip:
                plugin_zip.writestr("stable-plugin-descriptor.properties", descriptor)
                plugin_zip.writestr(
                    "named_components.json", json.dumps(self.components, indent=2) + "\n"
                )
                plugin_zip.writestr("yipin-testbed-build.txt", fingerprint + "\n")
                plugin_zip.write(own_jar, own_jar.name)
                for jar_path in jars:
                    plugin_zip.write(jar_path, jar_path.name)
            part.rename(out)
        return out

    def installed_fingerprint(self, es: Elasticsearch) -> str | None:
        stamp = es.home / "plugins" / self.name / "yipin-testbed-build.txt"
        return stamp.read_text().strip() if stamp.exists() else None


def _javac() -> str:
    from .elasticsearch import Elasticsearch

    candidates = [shutil.which("javac")]
    with contextlib.suppress(TestbedError):
        candidates.append(str(Elasticsearch.java_home_static() / "bin" / "javac"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise TestbedError("javac not found (apt-get install openjdk-17-jdk-headless)")


def _maven_jar(base: Path, coordinate: str) -> Path:
    """Download group:artifact:version's jar from Maven Central once, checking its sha1."""
    group, artifact, version = coordinate.split(":")
    dest = base / "downloads" / "maven" / f"{artifact}-{version}.jar"
    if dest.exists():
        return dest
    url = f"{MAVEN_CENTRAL}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.jar"
    log(f"elasticsearch: downloading {coordinate}")
    try:
        want = requests.get(url + ".sha1", timeout=30)
        want.raise_for_status()
        resp = requests.get(url, timeout=300)
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise TestbedError(f"cannot download {url}: {exc}") from exc
    got = hashlib.sha1(resp.content).hexdigest()
    if got != want.text.split()[0].strip().lower():
        raise TestbedError(f"sha1 mismatch for {url}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(".part")
    part.write_bytes(resp.content)
    part.rename(dest)
    return dest


ES_PLUGINS: tuple[StablePlugin, ...] = (
    StablePlugin(
        name="analysis-smartcn",
        description=(
            "Yipin test-bed build of Smart Chinese analysis (smartcn analyzer, "
            "smartcn_tokenizer, smartcn_stop) from Lucene analysis-smartcn"
        ),
        jars=[f"org.apache.lucene:lucene-analysis-smartcn:{LUCENE_VERSION}"],
        source=SMARTCN_SOURCE,
        components={
            _ANALYSIS + "AnalyzerFactory": {
                "smartcn": "org.yipin.testbed.smartcn.Smartcn$SmartcnAnalyzer"
            },
            _ANALYSIS + "TokenizerFactory": {
                "smartcn_tokenizer": "org.yipin.testbed.smartcn.Smartcn$SmartcnTokenizer"
            },
            _ANALYSIS + "TokenFilterFactory": {
                "smartcn_stop": "org.yipin.testbed.smartcn.Smartcn$SmartcnStop"
            },
        },
    ),
    StablePlugin(
        name="analysis-icu",
        description=(
            "Yipin test-bed build of ICU analysis (icu_analyzer, icu_tokenizer, icu_folding, "
            "icu_normalizer, icu_transform) from Lucene analysis-icu"
        ),
        jars=[
            f"org.apache.lucene:lucene-analysis-icu:{LUCENE_VERSION}",
            "com.ibm.icu:icu4j:74.2",
        ],
        source=ICU_SOURCE,
        components={
            _ANALYSIS + "AnalyzerFactory": {
                "icu_analyzer": "org.yipin.testbed.icu.Icu$IcuAnalyzer"
            },
            _ANALYSIS + "TokenizerFactory": {
                "icu_tokenizer": "org.yipin.testbed.icu.Icu$IcuTokenizer"
            },
            _ANALYSIS + "TokenFilterFactory": {
                "icu_folding": "org.yipin.testbed.icu.Icu$IcuFolding",
                "icu_normalizer": "org.yipin.testbed.icu.Icu$IcuNormalizerFilter",
                "icu_transform": "org.yipin.testbed.icu.Icu$IcuTransform",
            },
            _ANALYSIS + "CharFilterFactory": {
                "icu_normalizer": "org.yipin.testbed.icu.Icu$IcuNormalizerCharFilter"
            },
        },
    ),
    StablePlugin(
        name="analysis-ik",
        description=(
            "Yipin test-bed build of the IK Analysis plugin (ik_max_word, ik_smart analyzers and "
            "tokenizers) from cn.shenyanchao.ik-analyzer (Apache-2.0, dictionary included)"
        ),
        jars=["cn.shenyanchao.ik-analyzer:ik-analyzer:9.0.0", "org.slf4j:slf4j-api:2.0.17"],
        source=IK_SOURCE,
        components={
            _ANALYSIS + "AnalyzerFactory": {
                "ik_max_word": "org.yipin.testbed.ik.Ik$MaxWordAnalyzer",
                "ik_smart": "org.yipin.testbed.ik.Ik$SmartAnalyzer",
            },
            _ANALYSIS + "TokenizerFactory": {
                "ik_max_word": "org.yipin.testbed.ik.Ik$MaxWordTokenizer",
                "ik_smart": "org.yipin.testbed.ik.Ik$SmartTokenizer",
            },
        },
    ),
)
