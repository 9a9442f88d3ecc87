# Sourced by the launcher (./nabla train --spark) and scripts/spark-submit-check: the JVM options that spark-submit
# adds for Spark on JDK 17+ (Spark's JavaModuleOptions), as the array NABLA_SPARK_JVM_OPTIONS. The Maven builds have the
# same list as the property spark.test.jvm.args in the parent POM.
NABLA_SPARK_JVM_OPTIONS=()
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.util.calendar; do
  NABLA_SPARK_JVM_OPTIONS+=("--add-opens=java.base/$p=ALL-UNNAMED")
done
NABLA_SPARK_JVM_OPTIONS+=(-Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true)
